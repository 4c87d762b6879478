"""Prometheus metrics (django-prometheus) at /metrics, for the deployment's own scraper only.

Allowed: a request straight from a loopback or RFC 1918 / unique-local address (a scraper inside
the deployment, no proxy in between: a proxied request carries X-Forwarded-For), or any request
with `Authorization: Bearer <METRICS_TOKEN>` when that setting is set. Everyone else gets a 404:
the endpoint is not advertised.

Besides django-prometheus' request figures, two Celery families, read from the broker at
scrape time so every web process reports the same numbers:
- `staybook_celery_queue_length{queue}`: messages waiting in each queue (scale workers on it);
- `staybook_celery_tasks_total{task,state}`: task outcomes (SUCCESS, FAILURE, RETRY, ...),
  counted by the workers in one Redis hash (`record_task_outcome`, on Celery's task_postrun).
"""

import hmac
import ipaddress
import logging

import redis
from django.conf import settings
from django.http import Http404
from django_prometheus.exports import ExportToDjangoView
from prometheus_client.core import REGISTRY, CounterMetricFamily, GaugeMetricFamily

logger = logging.getLogger(__name__)

TASK_OUTCOMES_KEY = "staybook:metrics:celery-task-outcomes"
_clients: dict[str, redis.Redis] = {}


def broker_redis() -> redis.Redis | None:
    """The broker's Redis (None with another broker), one client and pool per URL."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _clients[url]


def record_task_outcome(sender=None, task=None, state=None, **kwargs) -> None:
    """Celery's task_postrun: count the outcome; metrics never break a task."""
    client = broker_redis()
    if client is None or task is None:
        return
    try:
        client.hincrby(TASK_OUTCOMES_KEY, f"{task.name}|{state or 'UNKNOWN'}", 1)
    except redis.RedisError as exc:
        logger.warning("Could not count a task outcome: %s", exc)


class CeleryCollector:
    def collect(self):
        client = broker_redis()
        if client is None:
            return
        queues = GaugeMetricFamily(
            "staybook_celery_queue_length", "Messages waiting in a Celery queue", labels=["queue"]
        )
        outcomes = CounterMetricFamily(
            "staybook_celery_tasks", "Celery task outcomes", labels=["task", "state"]
        )
        try:
            for queue in settings.CELERY_TASK_QUEUES:
                queues.add_metric([queue], client.llen(queue))
            for field, count in client.hgetall(TASK_OUTCOMES_KEY).items():
                task, _, state = field.decode().rpartition("|")
                outcomes.add_metric([task, state], int(count))
        except redis.RedisError as exc:
            logger.warning("Celery metrics unavailable: %s", exc)
            return
        yield queues
        yield outcomes


REGISTRY.register(CeleryCollector())

# Not ipaddress' is_private, which also counts the documentation and benchmark ranges.
INTERNAL_NETWORKS = [
    ipaddress.ip_network(network)
    for network in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "::1/128",
        "fc00::/7",
    )
]


def _from_inside(request) -> bool:
    if "HTTP_X_FORWARDED_FOR" in request.META:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in INTERNAL_NETWORKS)


def _has_token(request) -> bool:
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode())


def metrics(request):
    if not (_has_token(request) or _from_inside(request)):
        raise Http404
    return ExportToDjangoView(request)
