"""Fetching another channel's iCal feed without becoming a way into our own network.

A feed URL is typed by a host, so it is untrusted: only http and https, never an address that
is not public (loopback, private ranges, link-local such as cloud metadata at 169.254.169.254,
multicast, reserved). The name is resolved once, every address is checked, and the connection
is made to the checked address itself (the name only goes in the Host header and TLS SNI): a
DNS answer that changes between the check and the connection (rebinding) cannot redirect it.
The peer address is checked again once connected. Redirects are followed by hand, each one
checked the same way. The whole fetch has a deadline and a size limit.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 3
USER_AGENT = "StayBook-ChannelSync/1.0"


class FetchError(Exception):
    """The feed could not be fetched; the message is shown to the host."""


def _allow_loopback() -> bool:
    # Tests serve fixtures from 127.0.0.1; production never sets this.
    return getattr(settings, "CHANNEL_SYNC_ALLOW_LOOPBACK", False)


def _only_loopback() -> bool:
    # Test settings: whatever URL a test (or the fuzzer) registers, nothing leaves the machine.
    return getattr(settings, "CHANNEL_SYNC_ONLY_LOOPBACK", False)


def address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback and _allow_loopback():
        return True
    if _only_loopback():
        return False
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path?query) of an acceptable URL, or FetchError."""
    if not isinstance(url, str) or len(url) > 2000:
        raise FetchError("The URL is too long.")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise FetchError("This is not a valid URL.") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError("Only http and https URLs can be synced.")
    if not parts.hostname:
        raise FetchError("The URL has no host.")
    if parts.username or parts.password:
        raise FetchError("URLs with a user name or password are not accepted.")
    port = port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, target


def resolve_checked(host: str, port: int) -> str:
    """One public address of `host` (every address it resolves to must be public)."""
    if _only_loopback() and host != "localhost" and not _is_ip_literal(host):
        raise FetchError(f"The host {host} is not a public internet address.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise FetchError(f"The host {host} could not be found.") from None
    addresses = [info[4][0] for info in infos]
    if not addresses or not all(address_allowed(a) for a in addresses):
        raise FetchError(f"The host {host} is not a public internet address.")
    return addresses[0]


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        _check_peer(self.sock)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        raw = socket.create_connection((self._address, self.port), self.timeout)
        _check_peer(raw)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _check_peer(sock) -> None:
    peer = sock.getpeername()[0]
    if not address_allowed(peer):
        sock.close()
        raise FetchError("The feed's address is not a public internet address.")


def fetch_feed(url: str) -> bytes:
    """The body of `url` (after at most MAX_REDIRECTS checked redirects), or FetchError."""
    deadline = time.monotonic() + settings.CHANNEL_SYNC_TIMEOUT_SECONDS
    for _ in range(MAX_REDIRECTS + 1):
        scheme, host, port, target = check_url(url)
        address = resolve_checked(host, port)
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        timeout = max(0.1, deadline - time.monotonic())
        connection = connection_class(host, port, address, timeout)
        try:
            connection.request(
                "GET", target, headers={"User-Agent": USER_AGENT, "Accept": "text/calendar"}
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError("The feed redirected nowhere.")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(f"The feed answered HTTP {response.status}.")
            return _read_limited(connection, response, deadline)
        except FetchError:
            raise
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            raise FetchError(f"The feed could not be read ({type(exc).__name__}).") from None
        finally:
            connection.close()
    raise FetchError("The feed redirected too many times.")


def _read_limited(connection, response, deadline: float) -> bytes:
    limit = settings.CHANNEL_SYNC_MAX_BYTES
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(f"The feed is larger than {limit // 1000} kB.")
    chunks, size = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("The feed took too long to answer.")
        if connection.sock is not None:  # a server dripping bytes cannot outlast the deadline
            connection.sock.settimeout(remaining)
        chunk = response.read1(64 * 1024) if hasattr(response, "read1") else response.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise FetchError(f"The feed is larger than {limit // 1000} kB.")
        chunks.append(chunk)
