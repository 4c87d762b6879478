"""Channel sync against a real HTTP server on 127.0.0.1 serving .ics fixtures, hostile ones
included, and the address checks that keep the fetch out of internal networks."""

import datetime as dt
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from calendars.channel_fetch import FetchError, address_allowed, fetch_feed
from calendars.channels import channel_feed_add, channel_feed_delete, channel_feed_sync
from calendars.models import ChannelBlock, ChannelFeed, HostBlock, Occupancy
from common.errors import DomainError, ValidationFailed
from tests.factories import HostFactory, ListingFactory, future, make_booking

pytestmark = pytest.mark.django_db


def ics(*events) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Other//EN"]
    for uid, start, end in events:
        lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{end:%Y%m%d}", "SUMMARY:Reserved", "END:VEVENT"]  # fmt: skip
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


class FeedServer:
    """Serves `routes[path] = (status, headers, body)`; a body that is a callable writes itself."""

    def __init__(self):
        self.routes = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, headers, body = routes.get(self.path, (404, {}, b"no"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if callable(body):
                    self.end_headers()
                    body(self.wfile)
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def server(settings):
    settings.CHANNEL_SYNC_ALLOW_LOOPBACK = True
    feed_server = FeedServer()
    yield feed_server
    feed_server.close()


@pytest.fixture
def host():
    return HostFactory()


@pytest.fixture
def listing(host):
    return ListingFactory(host=host)


def add_feed(listing, host, url):
    return ChannelFeed.objects.create(listing=listing, url=url, name="OtherBnB", created_by=host)


def blocks(listing):
    return sorted(
        (b.channel_block.uid, b.start, b.end)
        for b in HostBlock.objects.filter(listing=listing, channel_block__isnull=False)
    )


def test_events_become_blocks_and_follow_the_feed(server, listing, host):
    server.routes["/a.ics"] = (200, {}, ics(("one", future(10), future(12)),
                                            ("two", future(20), future(25))))  # fmt: skip
    feed = channel_feed_sync(add_feed(listing, host, server.url("/a.ics")))
    assert (feed.last_error, feed.conflicts) == ("", [])
    assert feed.last_synced_at is not None
    assert blocks(listing) == [("one", future(10), future(12)), ("two", future(20), future(25))]
    assert channel_feed_sync(feed).last_error == ""  # idempotent
    assert blocks(listing) == [("one", future(10), future(12)), ("two", future(20), future(25))]

    # "one" moved, "two" was removed upstream, "three" is new
    server.routes["/a.ics"] = (200, {}, ics(("one", future(11), future(14)),
                                            ("three", future(30), future(31))))  # fmt: skip
    channel_feed_sync(feed)
    assert blocks(listing) == [("one", future(11), future(14)), ("three", future(30), future(31))]
    assert Occupancy.objects.filter(listing=listing).count() == 2


def test_conflicts_are_reported_and_bookings_never_touched(server, listing, host):
    booking = make_booking(listing=listing, check_in=future(10), nights=3)
    server.routes["/a.ics"] = (200, {}, ics(("clash", future(11), future(12)),
                                            ("free", future(20), future(21))))  # fmt: skip
    feed = channel_feed_sync(add_feed(listing, host, server.url("/a.ics")))
    assert feed.conflicts == [{"uid": "clash", "start": str(future(11)), "end": str(future(12))}]
    assert blocks(listing) == [("free", future(20), future(21))]
    booking.refresh_from_db()
    assert booking.is_active and booking.occupancy.is_active


def test_past_events_are_ignored_and_running_ones_clipped(server, listing, host):
    server.routes["/a.ics"] = (200, {}, ics(("old", future(-10), future(-5)),
                                            ("now", future(-2), future(2))))  # fmt: skip
    channel_feed_sync(add_feed(listing, host, server.url("/a.ics")))
    assert blocks(listing) == [("now", future(0), future(2))]


@pytest.mark.parametrize(
    ("status", "headers", "body", "message"),
    [
        (200, {}, b"this is not a calendar", "not a valid iCalendar"),
        (200, {}, b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage", "not a valid iCalendar"),
        (500, {}, b"boom", "HTTP 500"),
        (200, {}, b"x" * 3000, "larger than"),
        (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"", "not a public"),
        (302, {"Location": "file:///etc/passwd"}, b"", "Only http and https"),
    ],
    ids=["text", "truncated", "server-error", "too-big", "redirect-to-metadata", "redirect-file"],
)
def test_bad_feeds_change_nothing_and_say_why(server, listing, host, settings,
                                               status, headers, body, message):  # fmt: skip
    settings.CHANNEL_SYNC_MAX_BYTES = 2000
    server.routes["/good.ics"] = (200, {}, ics(("one", future(10), future(12))))
    feed = channel_feed_sync(add_feed(listing, host, server.url("/good.ics")))
    server.routes["/good.ics"] = (status, headers, body)

    feed = channel_feed_sync(feed)
    assert message in feed.last_error
    assert blocks(listing) == [("one", future(10), future(12))]  # the last good state stays


def test_a_dripping_server_is_cut_off_at_the_deadline(server, listing, host, settings):
    settings.CHANNEL_SYNC_TIMEOUT_SECONDS = 1.0

    def drip(out):
        for _ in range(100):  # 10 s of drip against a 1 s deadline
            out.write(b"BEGIN:VCALENDAR\r\n")
            out.flush()
            time.sleep(0.1)

    server.routes["/slow.ics"] = (200, {}, drip)
    started = time.monotonic()
    feed = channel_feed_sync(add_feed(listing, host, server.url("/slow.ics")))
    assert "took too long" in feed.last_error or "could not be read" in feed.last_error
    assert time.monotonic() - started < 6  # generous for a loaded machine, far below 10 s


def test_loopback_is_refused_unless_allowed(listing, host, settings):
    settings.CHANNEL_SYNC_ALLOW_LOOPBACK = False
    with pytest.raises(FetchError, match="not a public"):
        fetch_feed("http://127.0.0.1:9/feed.ics")
    with pytest.raises(FetchError, match="not a public"):
        fetch_feed("http://localhost:9/feed.ics")


@pytest.mark.parametrize(
    ("address", "allowed"),
    [("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
     ("169.254.169.254", False), ("0.0.0.0", False), ("::1", False), ("fe80::1", False),
     ("fc00::1", False), ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False),
     ("224.0.0.1", False), ("100.64.0.1", False), ("93.184.215.14", True),
     ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True)],
)  # fmt: skip
def test_only_public_addresses_are_allowed(address, allowed, settings):
    settings.CHANNEL_SYNC_ALLOW_LOOPBACK = False
    settings.CHANNEL_SYNC_ONLY_LOOPBACK = False  # a pure check: nothing is contacted here
    assert address_allowed(address) is allowed


def test_adding_a_feed_checks_the_url_and_deleting_it_unblocks(
    server, listing, host, django_capture_on_commit_callbacks
):
    server.routes["/a.ics"] = (200, {}, ics(("one", future(10), future(12))))
    for bad in ("ftp://example.com/a.ics", "http://user:pw@example.com/a.ics", "not a url"):
        with pytest.raises(ValidationFailed) as refused:
            channel_feed_add(listing=listing, actor=host, url=bad)
        assert (refused.value.code, refused.value.field) == ("feed_url_invalid", "url")
    with django_capture_on_commit_callbacks(execute=True):  # the first sync runs on commit
        feed = channel_feed_add(listing=listing, actor=host, url=server.url("/a.ics"))
    assert blocks(listing) == [("one", future(10), future(12))]
    with pytest.raises(DomainError) as refused:
        channel_feed_add(listing=listing, actor=host, url=server.url("/a.ics"))
    assert refused.value.code == "feed_exists"

    channel_feed_delete(feed=feed, actor=host)
    assert blocks(listing) == [] and not ChannelBlock.objects.exists()
    assert not Occupancy.objects.filter(listing=listing).exists()


def test_datetime_and_duration_events(server, listing, host):
    start = future(10)
    body = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:dt\r\n"
        f"DTSTART:{start:%Y%m%d}T150000Z\r\nDTEND:{start + dt.timedelta(days=2):%Y%m%d}T100000Z\r\n"
        "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:dur\r\n"
        f"DTSTART;VALUE=DATE:{start + dt.timedelta(days=5):%Y%m%d}\r\nDURATION:P3D\r\n"
        "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:gone\r\nSTATUS:CANCELLED\r\n"
        f"DTSTART;VALUE=DATE:{start + dt.timedelta(days=20):%Y%m%d}\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()
    server.routes["/a.ics"] = (200, {}, body)
    channel_feed_sync(add_feed(listing, host, server.url("/a.ics")))
    assert blocks(listing) == [
        ("dt", start, start + dt.timedelta(days=2)),
        ("dur", start + dt.timedelta(days=5), start + dt.timedelta(days=8)),
    ]


def test_tests_never_reach_past_this_machine(settings):
    """The test settings refuse every non-loopback target before any DNS or connection."""
    assert settings.CHANNEL_SYNC_ONLY_LOOPBACK is True
    for url in ("http://93.184.215.14/a.ics", "https://example.com/a.ics"):
        with pytest.raises(FetchError, match="not a public"):
            fetch_feed(url)
