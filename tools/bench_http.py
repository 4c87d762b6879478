"""Requests per second of a few StayBook pages, for the capacity plan (docs/scaling.md).

    python tools/bench_http.py http://127.0.0.1:8000 --seconds 15 --clients 4

Point it at a server on this machine only (gunicorn with WEB_CONCURRENCY=1 measures one
worker). Each client is a thread with its own keep-alive-less connection per request, looping
for the given time over one scenario; the demo guest and the demo admin must exist
(seed_demo). Bounded: it stops by itself after `seconds` per scenario. Start the server with
API_THROTTLE_ANON and API_THROTTLE_USER raised (e.g. 1000000/min), or it measures 429s.
"""

import argparse
import datetime as dt
import http.cookiejar
import json
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid


def call(base, method, path, body=None, headers=None):
    request = urllib.request.Request(
        base + path, method=method, data=None if body is None else json.dumps(body).encode()
    )
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def token(base, email):
    status, body = call(
        base, "POST", "/api/v1/auth/token/", {"email": email, "password": "demo-password"}
    )
    assert status == 200, body
    return json.loads(body)["access"]


def back_office(base, email):
    """An opener with a back-office session (log-in form, CSRF token and all)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/admin/login/", timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "username": email, "password": "demo-password"}
    ).encode()
    request = urllib.request.Request(base + "/admin/login/?next=/admin/", data=form)
    request.add_header("Referer", base + "/admin/login/")
    assert "/admin/login/" not in opener.open(request, timeout=30).geturl()

    def dashboard():
        with opener.open(base + "/admin/", timeout=30) as response:
            return response.status, response.read()

    return dashboard


def scenarios(base):
    guest = {"Authorization": f"Bearer {token(base, 'guest@example.com')}"}
    check_in = dt.date.today() + dt.timedelta(days=200)
    check_out = check_in + dt.timedelta(days=3)
    search = f"/api/v1/listings/?guests=2&check_in={check_in}&check_out={check_out}"
    status, body = call(base, "GET", search)
    listing = json.loads(body)["results"][0]["id"]
    offset = iter(range(10**6))

    def book():
        start = check_in + dt.timedelta(days=next(offset) % 400)
        # Refusals (409: dates taken) are answers too: the engine did the same work.
        return call(
            base,
            "POST",
            "/api/v1/bookings/",
            {
                "listing": listing,
                "check_in": str(start),
                "check_out": str(start + dt.timedelta(days=2)),
                "guests": 1,
            },
            {**guest, "Idempotency-Key": str(uuid.uuid4())},
        )

    return {
        "search (GET /api/v1/listings/ with dates)": lambda: call(base, "GET", search),
        "listing detail": lambda: call(base, "GET", f"/api/v1/listings/{listing}/"),
        "quote": lambda: call(
            base,
            "GET",
            f"/api/v1/listings/{listing}/quote/?check_in={check_in}"
            f"&check_out={check_in + dt.timedelta(days=3)}&guests=2",
        ),
        "booking (POST /api/v1/bookings/)": book,
        "back-office dashboard (staff)": back_office(base, "admin@example.com"),
    }


def run(name, action, seconds, clients):
    latencies, statuses, lock = [], {}, threading.Lock()
    deadline = time.monotonic() + seconds

    def loop():
        while time.monotonic() < deadline:
            began = time.monotonic()
            status, _ = action()
            with lock:
                latencies.append(time.monotonic() - began)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    quantiles = statistics.quantiles(latencies, n=20)
    print(
        f"{name}: {len(latencies) / elapsed:.1f} req/s, p50 {quantiles[9] * 1000:.0f} ms, "
        f"p95 {quantiles[18] * 1000:.0f} ms, statuses {statuses}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    for name, action in scenarios(args.base_url.rstrip("/")).items():
        run(name, action, args.seconds, args.clients)


if __name__ == "__main__":
    main()
