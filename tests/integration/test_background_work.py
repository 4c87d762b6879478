"""Background work with real processes: a Celery worker, beat, a web server, a Redis server
and an SMTP server, all started by the fixtures (conftest.py). PostgreSQL only: the processes
must see the test database."""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from bookings.models import Booking
from notifications.models import Notification
from tests.factories import PASSWORD, ListingFactory, UserFactory, future, make_booking

from .conftest import BIN, producer, start_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(600)]


def book(web, headers, listing, check_in, nights=2):
    return web.post(
        "/api/v1/bookings/",
        json={"listing": str(listing.pk), "check_in": check_in.isoformat(),
              "check_out": (check_in + dt.timedelta(days=nights)).isoformat(), "guests": 2},
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip


def sent_rows() -> int:
    return Notification.objects.filter(status=Notification.Status.SENT).count()


def test_booking_emails_go_through_the_worker_and_arrive_once(
    web, processes, process_env, smtp_server, redis_server
):
    worker = start_worker(processes, {**process_env, "LOG_FORMAT": "json"})
    listing = ListingFactory(instant_book=False, title="Harbour loft")
    guest = UserFactory()
    guest_auth, host_auth = (
        web.token(guest.email, PASSWORD),
        web.token(listing.host.email, PASSWORD),
    )

    response = book(web, guest_auth, listing, future(20))
    assert response.status_code == 201, response.text
    booking_id, request_id = response.json()["id"], response.headers["X-Request-ID"]
    assert web.post(f"/api/v1/bookings/{booking_id}/accept/", headers=host_auth).status_code == 200
    response = web.post(f"/api/v1/bookings/{booking_id}/cancel/", json={"reason": "Plans changed"},
                        headers=guest_auth)  # fmt: skip
    assert response.status_code == 200, response.text

    wait_for(lambda: len(smtp_server.messages) >= 4, "four emails", processes=(worker,))
    rows = {f"{n.event}:{n.pk}": n for n in Notification.objects.all()}
    assert sorted(n.event for n in rows.values()) == [
        "booking_accepted", "booking_cancelled", "booking_cancelled", "booking_requested",
    ]  # fmt: skip
    assert sorted(smtp_server.headers()) == sorted(rows)
    by_header = {m["X-StayBook-Notification"]: m for m in smtp_server.messages}
    requested = next(k for k in rows if k.startswith("booking_requested"))
    assert by_header[requested]["To"] == listing.host.email
    assert "Harbour loft" in by_header[requested]["Subject"]
    assert {part.get_content_type() for part in by_header[requested].walk()} >= {
        "text/plain", "text/html",
    }  # fmt: skip

    # The task that sent the request email logs the id of the request that enqueued it
    # (django-structlog's Celery support): one JSON object per line, like the web's.
    def task_lines(task: str) -> list[dict]:
        lines = [json.loads(line) for line in worker.log().splitlines() if line.startswith("{")]
        return [line for line in lines if line.get("task") == task]

    [started, *_] = [line for line in task_lines("notifications.send")
                     if line.get("request_id") == request_id]  # fmt: skip
    assert started["event"] == "task_started" and started["task_id"]

    # Duplicate deliveries of every send task, then a sentinel behind them on the same queue
    # (one worker, one process: FIFO): once the sentinel's email arrives, the duplicates have
    # been handled, and none of them sent anything.
    sentinel = Notification.objects.create(event="booking_expired", ref="sentinel",
                                           recipient=guest, to_email=guest.email,
                                           context={"listing_title": "Sentinel"})  # fmt: skip
    app = producer(redis_server.url)
    for pk in [n.pk for n in rows.values()] * 2 + [sentinel.pk]:
        app.send_task("notifications.send", args=[pk], queue="notifications")
    app.send_task("notifications.send_due", queue="notifications")
    wait_for(lambda: len(smtp_server.messages) >= 5, "the sentinel email", processes=(worker,))
    assert sorted(smtp_server.headers()) == sorted([*rows, f"booking_expired:{sentinel.pk}"])
    assert sent_rows() == 5
    app.close()


def test_beat_really_fires_and_a_stale_hold_expires(processes, process_env, worker,
                                                    smtp_server, tmp_path):  # fmt: skip
    booking = make_booking(check_in=future(10))
    Booking.objects.filter(pk=booking.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    beat = processes("beat", [
        str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "INFO",
        "--schedule", str(tmp_path / "beat-schedule"),
    ], {**process_env, "DJANGO_SETTINGS_MODULE": "tests.integration.beat_settings"})  # fmt: skip

    def expired():
        booking.refresh_from_db()
        return booking.status == Booking.Status.EXPIRED

    wait_for(expired, "beat to expire the stale hold", processes=(beat, worker))
    record = booking.history.latest()
    assert (record.status, record.history_actor) == ("expired", "system:bookings.expire_stale")
    wait_for(lambda: smtp_server.headers(), "the expiry email", processes=(beat, worker))
    assert smtp_server.messages[0]["To"] == booking.guest.email
    assert "expired" in smtp_server.messages[0]["Subject"]
    assert "Sending due task recovery-sweep" in beat.log() or "recovery-sweep" in beat.log()


def admin_login(web, email_address: str) -> int:
    """Log in to the back-office with a form post (session + CSRF); the dashboard's status."""
    import requests

    session = requests.Session()
    session.get(f"{web.url}/admin/login/", timeout=60)
    response = session.post(
        f"{web.url}/admin/login/?next=/admin/",
        data={"username": email_address, "password": PASSWORD,
              "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
        headers={"Referer": f"{web.url}/admin/login/"}, timeout=60, allow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 302, response.text[:500]
    status = session.get(f"{web.url}/admin/", timeout=60).status_code
    session.close()
    return status


def test_redis_lost_during_a_burst_nothing_fails_and_nothing_is_lost(
    web, worker, smtp_server, redis_server
):
    listing = ListingFactory(instant_book=False, city="Porto")
    guest = UserFactory()
    auth = web.token(guest.email, PASSWORD)
    statuses: list[tuple[str, int]] = []

    def burst(round_number: int) -> None:
        calls = [
            ("search", lambda: web.get("/api/v1/listings/?city=porto&guests=2")),
            ("detail", lambda: web.get(f"/api/v1/listings/{listing.pk}/")),
            ("graphql", lambda: web.post("/graphql/", json={
                "query": "query($id: UUID!) { listing(id: $id) { title } }",
                "variables": {"id": str(listing.pk)}})),
            ("login", lambda: web.post("/api/v1/auth/token/",
                                       json={"email": guest.email, "password": PASSWORD})),
            ("book", lambda: book(web, auth, listing, future(30 + 3 * round_number))),
        ]  # fmt: skip
        for name, call in calls:
            statuses.append((name, call().status_code))

    for round_number in range(2):
        burst(round_number)
    redis_server.stop()
    for round_number in range(2, 6):
        burst(round_number)
    assert admin_login(web, listing.host.email) == 200
    ready = web.get("/ready")
    assert ready.status_code == 503
    assert set(ready.json()["failing"]) == {"cache", "broker"}
    assert web.get("/healthz").status_code == 200

    assert [s for s in statuses if s[1] >= 500] == []
    assert [s for s in statuses if s[0] == "book"] == [("book", 201)] * 6
    assert Booking.objects.filter(listing=listing).count() == 6

    # Redis comes back (empty: what was queued is gone). The recovery sweep sends what is owed.
    redis_server.start()
    wait_for(lambda: web.get("/ready").status_code == 200, "/ready to answer 200 again")
    app = producer(redis_server.url)
    wait_for(lambda: app.send_task("notifications.send_due", queue="notifications")
             and len(smtp_server.messages) >= 6, "every booking request email",
             processes=(worker,))  # fmt: skip
    assert Notification.objects.filter(event="booking_requested").count() == 6
    assert sorted(smtp_server.headers()) == sorted(
        f"{n.event}:{n.pk}" for n in Notification.objects.all()
    )
    app.close()
