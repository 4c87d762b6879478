"""The container healthcheck: GET /healthz on the local gunicorn, as the proxy in front would.

Run by the image's HEALTHCHECK (standard library only, no curl in a slim image). Exit 0 when
the endpoint answers 200, 1 otherwise.

Two production settings would turn a plain local request into a failure, so the request
carries what a TLS-terminating proxy would send:
- SECURE_SSL_REDIRECT answers plain HTTP with a redirect: send `X-Forwarded-Proto: https`
  (trusted through SECURE_PROXY_SSL_HEADER).
- Django rejects a Host header that is not in ALLOWED_HOSTS: send the first allowed host.
Redirects are never followed: they would leave the container.
"""

import http.client
import os
import sys


def host_header() -> str:
    """The first concrete host of ALLOWED_HOSTS ("*" allows anything, so localhost will do)."""
    for entry in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = entry.strip().lstrip(".")  # ".example.com" allows example.com and its subdomains
        if host and host != "*":
            return host
    return "localhost"


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
    try:
        connection.request(
            "GET", "/healthz", headers={"Host": host_header(), "X-Forwarded-Proto": "https"}
        )
        status = connection.getresponse().status
    except OSError as exc:
        print(f"healthz unreachable: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if status != 200:
        print(f"healthz answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
