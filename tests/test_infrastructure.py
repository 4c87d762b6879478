"""With REDIS_URL set (always in CI) the cache and sessions really live in Redis."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set")


@needs_redis
def test_cache_is_redis_and_round_trips():
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    cache.set("infra-probe", {"ok": 1}, 30)
    assert cache.get("infra-probe") == {"ok": 1}
    from django_redis import get_redis_connection

    assert get_redis_connection("default").ping()


@needs_redis
def test_sessions_are_cache_backed_on_redis():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"


def test_beat_schedule_points_at_registered_tasks():
    from config.celery import app

    app.loader.import_default_modules()
    registered = set(app.tasks)
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in registered
