"""The product through PgBouncer in transaction mode (Debian's pgbouncer, started by the test).

Transaction pooling hands a server connection to a client for one transaction only, so
nothing may outlive a transaction: no server-side cursors (DISABLE_SERVER_SIDE_CURSORS) and no
persistent session state. A separate Django process configured as a deployment behind
PgBouncer would be (DATABASE_URL to PgBouncer, CONN_MAX_AGE=0) streams a queryset with
`.iterator()`, books a stay through the REST API (exclusion constraint, idempotency key,
history rows) and reads it back, all through the pooler.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from bookings.models import Booking
from tests.factories import ListingFactory, UserFactory

ROOT = Path(__file__).resolve().parents[1]
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def pgbouncer():
    assert Path(PGBOUNCER).exists(), "install Debian's pgbouncer (.ci/run does)"
    primary = connection.settings_dict
    port = free_port()
    # PgBouncer refuses to run as root; as the postgres user it must read its own files.
    folder = Path(tempfile.mkdtemp(prefix="staybook-pgbouncer-"))
    folder.chmod(0o777)
    (folder / "users.txt").write_text(f'"{primary["USER"] or "postgres"}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={primary["HOST"] or "127.0.0.1"} port={primary["PORT"] or 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = 3
max_client_conn = 50
ignore_startup_parameters = extra_float_digits,options
logfile = {folder / "pgbouncer.log"}
"""
    )
    for path in folder.iterdir():
        path.chmod(0o666)
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "pgbouncer did not start listening"
            time.sleep(0.2)
        yield f"postgres://{primary['USER'] or 'postgres'}@127.0.0.1:{port}/{primary['NAME']}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        shutil.rmtree(folder, ignore_errors=True)


SCRIPT = """
import datetime as dt, json, sys, uuid
import django
django.setup()
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken
from accounts.models import User
from listings.models import Listing

assert connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True
assert connection.settings_dict["CONN_MAX_AGE"] == 0
port = connection.settings_dict["PORT"]
titles = [listing.title for listing in Listing.objects.order_by("title").iterator(chunk_size=2)]

guest = User.objects.get(email=sys.argv[1])
listing = Listing.objects.get(title=sys.argv[2])
token = RefreshToken.for_user(guest).access_token
check_in = timezone.localdate() + dt.timedelta(days=40)
client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
body = {"listing": str(listing.pk), "check_in": str(check_in),
        "check_out": str(check_in + dt.timedelta(days=2)), "guests": 1}
key = str(uuid.uuid4())
first = client.post("/api/v1/bookings/", body, content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY=key)
replay = client.post("/api/v1/bookings/", body, content_type="application/json",
                     HTTP_IDEMPOTENCY_KEY=key)
clash = client.post("/api/v1/bookings/", body, content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
detail = client.get(f"/api/v1/bookings/{first.json()['id']}/")
print(json.dumps({"port": port, "titles": titles, "statuses": [first.status_code,
      replay.status_code, clash.status_code, detail.status_code],
      "replayed": replay.headers.get("Idempotent-Replayed"), "booking": first.json()["id"]}))
"""


def test_the_product_works_through_pgbouncer_in_transaction_mode(pgbouncer):
    guest = UserFactory(email="pooled@example.com")
    for index in range(5):
        ListingFactory(title=f"Pooled {index}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": pgbouncer,
        "CONN_MAX_AGE": "0",
        "DISABLE_SERVER_SIDE_CURSORS": "true",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, guest.email, "Pooled 3"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["port"] == int(pgbouncer.rsplit(":", 1)[1].split("/")[0])  # via the pooler
    assert report["titles"] == [f"Pooled {index}" for index in range(5)]
    # Booked, replayed by its idempotency key, the same nights refused (409), read back.
    assert report["statuses"] == [201, 201, 409, 200]
    assert report["replayed"] == "true"
    booking = Booking.objects.get(pk=report["booking"])
    assert booking.guest == guest and booking.listing.title == "Pooled 3"
