"""The read-replica router on a real second PostgreSQL database.

The test makes the "replica" itself: a database on the same server, fed by copying the
primary with pg_dump at one moment. Anything written to the primary afterwards is, by
construction, replication lag: the replica does not have it. So which copy a request read
from shows in what it answers.
"""

import subprocess
import uuid

import pytest
from django.db import connections
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from bookings.models import Booking
from common.replicas import REPLICA, ReplicaRouter
from listings.models import Listing
from tests.factories import HostFactory, ListingFactory, UserFactory, future

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def libpq_args(settings_dict: dict) -> list[str]:
    args = ["-h", settings_dict["HOST"] or "127.0.0.1", "-U", settings_dict["USER"] or "postgres"]
    if settings_dict["PORT"]:
        args += ["-p", str(settings_dict["PORT"])]
    return args


@pytest.fixture
def replica(settings):
    """A copy of the test database as the `replica` alias; dropped afterwards. The read cache
    is off here (these tests watch the router); with it, see the last test."""
    settings.READ_CACHE_ENABLED = False
    primary = connections["default"].settings_dict
    name = f"{primary['NAME']}_replica_{uuid.uuid4().hex[:8]}"
    server = libpq_args(primary)
    env = {"PGPASSWORD": primary["PASSWORD"] or ""}

    def copy():
        dump = subprocess.run(
            ["pg_dump", *server, "--no-owner", primary["NAME"]],
            capture_output=True,
            check=True,
            timeout=120,
            env=env,
        )
        subprocess.run(
            ["psql", *server, "-q", "-v", "ON_ERROR_STOP=1", "-d", name],
            input=dump.stdout,
            capture_output=True,
            check=True,
            timeout=120,
            env=env,
        )

    subprocess.run(["createdb", *server, name], check=True, timeout=60, env=env)
    connections.settings[REPLICA] = {**primary, "NAME": name, "TEST": {"MIRROR": None}}
    # Connect now: the test case only lets connections it knew at its start open lazily.
    connections[REPLICA].connect()
    try:
        yield copy
    finally:
        if hasattr(connections._connections, REPLICA):
            connections[REPLICA].close()
            del connections[REPLICA]
        del connections.settings[REPLICA]
        subprocess.run(
            ["dropdb", *server, "--if-exists", "--force", name], check=True, timeout=60, env=env
        )


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token = RefreshToken.for_user(user).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def title_seen(client, listing) -> str:
    response = client.get(f"/api/v1/listings/{listing.pk}/")
    assert response.status_code == 200, response.content
    return response.json()["title"]


def test_safe_reads_use_the_replica_writes_and_own_reads_use_the_primary(replica):
    host = HostFactory()
    listing = ListingFactory(host=host, title="Before")
    guest = UserFactory()
    replica()  # the replica now has "Before"
    Listing.objects.filter(pk=listing.pk).update(title="After")  # not replicated yet

    # Search and listing detail tolerate lag: they read the replica.
    assert title_seen(api(), listing) == "Before"
    search = api().get("/api/v1/listings/", {"city": listing.city})
    assert [item["title"] for item in search.json()["results"]] == ["Before"]

    # The host writes through the API: the write reaches the primary, and the host's next
    # read (same bearer token) comes from the primary; everyone else still reads the replica.
    host_client = api(host)
    response = host_client.patch(
        f"/api/v1/listings/{listing.pk}/", {"title": "Host's own title"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Listing.objects.get(pk=listing.pk).title == "Host's own title"
    assert title_seen(host_client, listing) == "Host's own title"
    assert title_seen(api(), listing) == "Before"
    assert title_seen(api(guest), listing) == "Before"

    # A booking checks availability and writes on the primary, never on the replica.
    response = api(guest).post(
        "/api/v1/bookings/",
        {"listing": str(listing.pk), "check_in": future(30), "check_out": future(33), "guests": 1},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201, response.content
    assert Booking.objects.using("default").filter(listing=listing).count() == 1
    assert Booking.objects.using(REPLICA).filter(listing=listing).count() == 0
    # Views not on the list (the guest's bookings) read the primary, so they see it.
    bookings = api(guest).get("/api/v1/bookings/")
    assert bookings.json()["count"] == 1


def test_the_pin_expires_and_reads_return_to_the_replica(replica):
    host = HostFactory()
    listing = ListingFactory(host=host, title="Before")
    replica()
    client = api(host)
    client.patch(f"/api/v1/listings/{listing.pk}/", {"title": "Mine"}, format="json")
    assert title_seen(client, listing) == "Mine"
    from django.core.cache import cache

    cache.clear()  # what the pin's expiry does, without sleeping
    assert title_seen(client, listing) == "Before"


def test_reads_after_a_write_in_the_same_request_and_in_transactions_use_the_primary(replica):
    from common import replicas

    replica()
    router = ReplicaRouter()
    token = replicas._replica_reads.set(True)
    wrote = replicas._wrote.set(False)
    try:
        assert router.db_for_read(Listing) == REPLICA
        # Who is asking is never read from the replica.
        assert router.db_for_read(UserFactory._meta.model) is None
        from django.db import transaction

        with transaction.atomic():
            assert router.db_for_read(Listing) is None
        router.db_for_write(Listing)
        assert router.db_for_read(Listing) is None
    finally:
        replicas._wrote.reset(wrote)
        replicas._replica_reads.reset(token)
    assert router.allow_migrate(REPLICA, "listings") is False
    assert router.allow_migrate("default", "listings") is True


def test_without_a_replica_everything_uses_the_default_database():
    from common import replicas

    router = ReplicaRouter()
    token = replicas._replica_reads.set(True)
    try:
        assert router.db_for_read(Listing) is None
    finally:
        replicas._replica_reads.reset(token)
    listing = ListingFactory(title="Only copy")
    assert title_seen(api(), listing) == "Only copy"


def test_the_read_cache_builds_its_entries_on_the_primary(replica, settings):
    settings.READ_CACHE_ENABLED = True
    listing = ListingFactory(title="Before")
    replica()
    host_client = api(listing.host)
    response = host_client.patch(f"/api/v1/listings/{listing.pk}/", {"title": "After"},
                                 format="json")  # fmt: skip
    assert response.status_code == 200
    # Another client's read would come from the replica ("Before"), but the cached page is
    # built on the primary: no one is served the replica's lag for the cache's lifetime.
    assert title_seen(api(), listing) == "After"
    assert title_seen(host_client, listing) == "After"
