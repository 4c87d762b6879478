"""Channel sync through REST and GraphQL, against a local HTTP server serving .ics files."""

import pytest

from calendars.models import ChannelFeed, HostBlock
from calendars.tests.test_channels import FeedServer, ics
from tests.factories import future

from ..tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(settings):
    settings.CHANNEL_SYNC_ALLOW_LOOPBACK = True
    feed_server = FeedServer()
    yield feed_server
    feed_server.close()


def test_a_host_registers_a_feed_and_sees_its_events_as_blocks(
    as_host, listing, server, django_capture_on_commit_callbacks
):
    server.routes["/cal.ics"] = (200, {}, ics(("a", future(10), future(12)),
                                              ("b", future(20), future(21))))  # fmt: skip
    url = f"/api/v1/listings/{listing.pk}/channels/"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_host.post(
            url, {"url": server.url("/cal.ics"), "name": "OtherBnB"}, format="json"
        )
    assert response.status_code == 201, response.content
    [feed] = as_host.get(url).json()
    assert (feed["name"], feed["block_count"], feed["last_error"]) == ("OtherBnB", 2, "")
    assert feed["last_synced_at"] is not None
    days = as_host.get(
        f"/api/v1/listings/{listing.pk}/availability/?start={future(10)}&end={future(13)}"
    ).json()["days"]
    assert [d["available"] for d in days] == [False, False, True]

    server.routes["/cal.ics"] = (200, {}, b"garbage")
    synced = as_host.post(f"{url}{feed['id']}/sync/").json()
    assert "not a valid iCalendar" in synced["last_error"] and synced["block_count"] == 2

    assert as_host.delete(f"{url}{feed['id']}/").status_code == 204
    assert not HostBlock.objects.exists() and not ChannelFeed.objects.exists()


def test_bad_urls_are_400s(as_host, listing):
    url = f"/api/v1/listings/{listing.pk}/channels/"
    response = as_host.post(url, {"url": "file:///etc/passwd"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "feed_url_invalid")
    assert "url" in response.json()


def test_a_private_address_is_refused_at_fetch_time(as_host, listing, settings):
    settings.CHANNEL_SYNC_ALLOW_LOOPBACK = False
    url = f"/api/v1/listings/{listing.pk}/channels/"
    created = as_host.post(url, {"url": "http://127.0.0.1:9/x.ics"}, format="json").json()
    synced = as_host.post(f"{url}{created['id']}/sync/").json()
    assert "not a public internet address" in synced["last_error"]


def test_feeds_of_others_listings_do_not_exist(other_host, listing, host):
    feed = ChannelFeed.objects.create(listing=listing, url="https://example.com/a.ics")
    client = client_for(other_host)
    base = f"/api/v1/listings/{listing.pk}/channels/"
    assert client.get(base).status_code == 404
    assert client.post(base, {"url": "https://example.com/b.ics"}, format="json").status_code == 404
    assert client.post(f"{base}{feed.pk}/sync/").status_code == 404
    assert client.delete(f"{base}{feed.pk}/").status_code == 404
    assert ChannelFeed.objects.count() == 1


def test_graphql_channel_feeds(client, host, listing, server, django_capture_on_commit_callbacks):
    from public_api.graphql.tests.conftest import GraphQLClient

    gql = GraphQLClient(client)
    server.routes["/cal.ics"] = (200, {}, ics(("a", future(10), future(12))))
    add = """mutation($l: UUID!, $u: String!) { addChannelFeed(input: {listingId: $l, url: $u}) {
      channelFeed { id blockCount lastError conflicts { uid } } errors { field code } } }"""
    with django_capture_on_commit_callbacks(execute=True):
        payload = gql.data(add, {"l": str(listing.pk), "u": server.url("/cal.ics")}, user=host)
    feed = payload["addChannelFeed"]["channelFeed"]
    assert payload["addChannelFeed"]["errors"] == []
    # The first sync runs once the registration has committed: the payload predates it.
    assert (feed["blockCount"], feed["lastError"], feed["conflicts"]) == (0, "", [])
    listed = gql.data(
        "query($l: UUID!) { channelFeeds(listingId: $l) { id blockCount lastSyncedAt } }",
        {"l": str(listing.pk)},
        user=host,
    )["channelFeeds"]
    assert [(f["id"], f["blockCount"]) for f in listed] == [(feed["id"], 1)]
    bad = gql.data(add, {"l": str(listing.pk), "u": "gopher://x"}, user=host)["addChannelFeed"]
    assert bad["errors"] == [{"field": "url", "code": "feed_url_invalid"}]
