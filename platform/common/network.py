"""The client's address, the one place every part of the project reads it from.

Throttles, the login-failure lockout (django-axes), the audit trail and the request logs all
call `client_ip(request)`. `X-Forwarded-For` is written by whoever sends the request, so it is
ignored unless `settings.TRUSTED_PROXY_COUNT` says how many proxies of our own stand in front
of the application server:

- 0 (the default): the address is REMOTE_ADDR, the peer of the TCP connection. Rotating
  `X-Forwarded-For` changes nothing.
- N > 0: each trusted proxy appends the address it received the request from, so the client
  is the N-th address from the right. Anything further left was sent by the client and is
  never read. A request with fewer entries than proxies (one that skipped the outer proxy)
  falls back to the leftmost entry, which our own proxies wrote.

An address that does not parse as IPv4/IPv6 is ignored in favour of REMOTE_ADDR.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    address = address.strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's IP address as a string, or None when the server saw none."""
    meta = request.META
    remote = _valid(meta.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part for part in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part]
    if not forwarded:
        return remote
    chosen = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _valid(chosen) or remote
