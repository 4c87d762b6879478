"""`/healthz`: liveness (the process answers and reaches its database), for restarts.
`/ready`: readiness, for load balancers: 503 naming each part that does not answer (database,
cache, broker), 200 when all do."""

import logging
import os

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)


def health(request):
    """Liveness and database reachability, for load balancers and compose healthchecks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].startswith("django_redis."):
        # ask Redis itself: the cache API hides outages (IGNORE_EXCEPTIONS)
        from django_redis import get_redis_connection

        get_redis_connection("default").ping()
        return
    cache.set("ready-probe", 1, 10)
    if cache.get("ready-probe") != 1:
        raise RuntimeError("the cache does not keep values")


def _broker() -> None:
    from celery import current_app

    options = current_app.conf.broker_transport_options or {}
    if current_app.conf.broker_url.startswith("filesystem://"):
        folder = options.get("data_folder_in", "")
        if not os.access(folder, os.W_OK):
            raise RuntimeError(f"{folder} is not writable")
        return
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def ready(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            logger.warning("Readiness: %s is down: %s", name, exc)
            results[name] = f"down: {type(exc).__name__}"
        else:
            results[name] = "ok"
    failing = [name for name, result in results.items() if result != "ok"]
    body = {"status": "unavailable" if failing else "ok", "checks": results}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
