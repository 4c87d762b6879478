"""docker/smoke, the end-to-end script CI runs against the built stack, run here for real.

The script is a separate process speaking HTTP to pytest-django's live server, which serves
the test database loaded with the demo data (the guest it logs in as, the listings it books).
"""

import subprocess
import sys
from pathlib import Path

import pytest

from bookings.models import Booking
from demo.seed import seed_demo

SMOKE = Path(__file__).resolve().parents[1] / "docker" / "smoke"


def run_smoke(base_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SMOKE), base_url, "--timeout", "60", *args],
        capture_output=True,
        text=True,
        timeout=240,
    )


@pytest.fixture
def demo_server(live_server):
    seed_demo()
    return live_server


def test_smoke_script_is_executable_with_a_python_shebang():
    assert SMOKE.stat().st_mode & 0o111
    assert SMOKE.read_text().startswith("#!/usr/bin/env python3\n")


def test_smoke_script_walks_the_guest_path_against_a_live_server(demo_server):
    before = set(Booking.objects.values_list("pk", flat=True))

    result = run_smoke(demo_server.url, "--wait", "60")

    assert result.returncode == 0, result.stdout + result.stderr
    steps = [line.split(":")[0] for line in result.stdout.splitlines() if line.startswith("ok ")]
    assert steps == [
        "ok   log in",
        "ok   search, quote, book",
        "ok   pay",
        "ok   booking confirmed",
    ]
    assert "smoke test passed" in result.stdout
    # It really booked, as the demo guest, through the API.
    (new,) = Booking.objects.exclude(pk__in=before)
    assert new.guest.email == "guest@example.com"
    assert new.listing.title in result.stdout
    # Paid with the simulated provider's test card: the booking is confirmed, and paid once.
    assert "ok   pay: with pm_card_visa" in result.stdout
    assert f"{new.pk} confirmed" in result.stdout
    new.refresh_from_db()
    assert new.status == "confirmed"


def test_smoke_script_fails_when_a_step_fails(demo_server):
    result = run_smoke(demo_server.url, "--password", "not-the-demo-password")
    assert result.returncode == 1
    assert result.stderr.startswith("FAIL log in")
    assert "401" in result.stderr


def test_smoke_script_fails_when_nothing_answers(unused_tcp_port_url):
    result = run_smoke(unused_tcp_port_url, "--wait", "2")
    assert result.returncode == 1
    assert "not ready" in result.stderr


@pytest.fixture
def unused_tcp_port_url():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
