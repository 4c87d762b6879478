"""The listing change form's History tab: latest versions with per-field diffs."""

import pytest
from django.urls import reverse

from common.actor import acting_as
from listings.services import listing_update

pytestmark = pytest.mark.django_db


def change_url(listing):
    return reverse("admin:listings_listing_change", args=[listing.pk])


def test_history_tab_shows_old_and_new_values_and_links_the_full_history(
    as_auditor, own_listing, host
):
    with acting_as(host):
        listing_update(listing=own_listing, actor=host, title="Hannah penthouse")

    body = as_auditor.get(change_url(own_listing)).content.decode()

    assert 'href="#dataset-historicallisting"' in body  # the tab, in unfold's tab bar
    tab = body[body.index('id="history-tab"') :]
    assert "Hannah loft" in tab and "Hannah penthouse" in tab  # old → new
    assert f"user:{host.email}" in tab
    assert reverse("admin:listings_listing_history", args=[own_listing.pk]) in tab


def test_history_tab_shows_the_latest_ten_with_a_link_to_the_rest(
    as_host, own_listing, host, django_assert_max_num_queries
):
    with acting_as(host):
        for n in range(12):
            listing_update(listing=own_listing, actor=host, title=f"Title {n}")

    with django_assert_max_num_queries(40):  # the whole change page (35 measured)
        body = as_host.get(change_url(own_listing)).content.decode()

    tab = body[body.index('id="history-tab"') :]
    assert "Title 10" in tab and "Title 11" in tab  # 11 is the newest title
    assert "Title 0</span>" not in tab
    assert "Older versions are on the full history page." in tab


def test_no_history_tab_on_the_add_page(as_host):
    body = as_host.get(reverse("admin:listings_listing_add")).content.decode()
    assert "dataset-historicallisting" not in body


def _versions(listing, host, count):
    """`count` saves, the amenities changing on every other one (each save is one version)."""
    from tests.factories import AmenityFactory

    wifi, pool = AmenityFactory(slug="wifi"), AmenityFactory(slug="pool")
    with acting_as(host):
        for n in range(count):
            amenities = ["wifi"] if n % 2 else ["wifi", "pool"]
            listing_update(listing=listing, actor=host, title=f"Title {n}", amenities=amenities)
    return wifi, pool


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["history", "change"])
def test_history_costs_the_same_queries_with_5_or_50_versions(host, page, own_listing):
    from tests.factories import ListingFactory

    from .conftest import client_for

    few, many = own_listing, ListingFactory(host=host, title="Busy flat")
    _versions(few, host, 5)
    wifi, pool = _versions(many, host, 50)
    client = client_for(host)

    def url(listing):
        return reverse(f"admin:listings_listing_{page}", args=[listing.pk])

    _queries(client, url(few))  # warm the per-process caches (content types, sessions)
    assert _queries(client, url(many)) == _queries(client, url(few))
    body = client.get(url(many)).content.decode()
    diff = body[body.index('id="change-history"') :]
    line = diff[diff.index("<strong>Amenities</strong>") :].split("</li>")[0]
    assert str(wifi) in line and str(pool) in line  # old → new, still shown
