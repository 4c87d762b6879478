"""Prometheus metrics (django-prometheus) at /metrics, for the deployment's own scraper only.

Allowed: a request straight from a loopback or RFC 1918 / unique-local address (a scraper inside
the deployment, no proxy in between: a proxied request carries X-Forwarded-For), or any request
with `Authorization: Bearer <METRICS_TOKEN>` when that setting is set. Everyone else gets a 404:
the endpoint is not advertised.
"""

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404
from django_prometheus.exports import ExportToDjangoView

# Not ipaddress' is_private, which also counts the documentation and benchmark ranges.
INTERNAL_NETWORKS = [
    ipaddress.ip_network(network)
    for network in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128",
                    "fc00::/7")
]  # fmt: skip


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
