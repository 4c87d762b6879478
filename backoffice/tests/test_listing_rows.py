"""The listings changelist draws its rows with backoffice.change_list_rows (issue #13: at 50 rows
unfold's per-row work was most of the page). What a row costs must not grow again, and the rows
must stay unfold's own markup, link for link and badge for badge."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import get_script_prefix, reverse, set_script_prefix

from backoffice.admin.listings import calendar_url
from backoffice.sites import site
from listings.models import Listing, ListingPhoto
from tests.factories import ListingFactory

from .test_changelists_at_scale import bulk_hosts, bulk_listings

pytestmark = pytest.mark.django_db

URL = "/admin/listings/listing/"
ROW = re.compile(r"<tbody\b.*?</tbody>", re.S)
# A row of the page in bytes: unfold's markup is 7-7.5 kB (a 480-character class list on each
# of 12 cells); with its template's indentation the rows were about 1.4 kB more.
ROW_BYTES = 8_000
UNFOLDS_ROW = 'x-data="{rowOpen: false}" >'  # its template's spacing; ours has none


def normalised(html: str) -> str:
    """The page without what differs between two renders of it, or only in whitespace: the
    CSRF token and CSP nonce, the blanks between tags and in tags, and the order of class names
    (unfold builds some class lists from a set)."""
    html = re.sub(r'(name="csrfmiddlewaretoken" value=|nonce=)"[^"]*"', "", html)
    html = re.sub(r"\s+", " ", html)
    html = re.sub(r">\s+<", "><", html)
    html = re.sub(r"\s+>", ">", html)
    return re.sub(r'class="([^"]*)"', lambda m: f'class="{" ".join(sorted(m[1].split()))}"', html)


def unfolds_page(client, monkeypatch, url=URL, params=None) -> str:
    """The same page drawn by unfold's own result list (the page before issue #13)."""
    admin = site._registry[Listing]
    with monkeypatch.context() as patch:
        patch.setattr(admin, "ie_base_change_list_template", "admin/change_list.html")
        page = client.get(url, params or {}).content.decode()
    assert UNFOLDS_ROW in page  # (drawn by unfold's template indeed)
    return page


@pytest.fixture
def varied_listings(host, other_host):
    """A row of each kind: with and without a photo, each status, instant book on and off, a
    rating or none, a title that needs escaping."""
    with_photo = ListingFactory(host=host, title="Loft <b>&</b> 'garden'", rating_average="4.50",
                                review_count=3)  # fmt: skip
    ListingPhoto.objects.create(listing=with_photo, image="listings/2026/01/a b.jpg", position=0)
    ListingFactory(host=host, status=Listing.Status.DRAFT, instant_book=False)
    ListingFactory(host=other_host, status=Listing.Status.SUSPENDED, city="Faro",
                   nightly_price=Decimal("99.50"), currency="USD")  # fmt: skip
    return with_photo


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status__exact": "published"},  # links keep the filters (_changelist_filters)
        {"o": "-6.3"},  # sorted by price, then title
        {"q": "Loft"},
    ],
)
def test_the_rows_are_unfolds_markup(as_staff, monkeypatch, varied_listings, params):
    ours = as_staff.get(URL, params).content.decode()
    theirs = unfolds_page(as_staff, monkeypatch, params=params)
    assert ROW.findall(ours) and UNFOLDS_ROW not in ours
    assert normalised(ours) == normalised(theirs)


def test_a_hosts_rows_are_unfolds_markup_and_only_theirs(as_host, monkeypatch, varied_listings):
    ours = as_host.get(URL).content.decode()
    assert normalised(ours) == normalised(unfolds_page(as_host, monkeypatch))
    rows = ROW.findall(ours)
    assert len(rows) == 2 and "Faro" not in "".join(rows)  # the other host's listing
    assert reverse("admin:calendar_listing", args=[varied_listings.pk]) in rows[0] + rows[1]


@pytest.mark.parametrize("prefix", ["/", "/staybook/"])
def test_the_calendar_link_is_the_calendars_url(own_listing, prefix):
    """Reversed once per script prefix, the key put in for each row."""
    old = get_script_prefix()
    set_script_prefix(prefix)
    try:
        expected = reverse("admin:calendar_listing", args=[own_listing.pk])
        assert expected.startswith(prefix)
        assert calendar_url(own_listing.pk) == expected
    finally:
        set_script_prefix(old)


def test_a_popup_is_drawn_by_unfold(as_staff, varied_listings):
    """A page this module does not draw (here: a related-object popup) still works."""
    page = as_staff.get(URL, {"_popup": "1", "_to_field": "id"}).content.decode()
    assert "data-popup-opener" in page


def test_an_empty_page_says_so(as_staff):
    page = as_staff.get(URL).content.decode()
    assert "No results found" in page and not ROW.findall(page)


def _page(client) -> tuple[str, int, int]:
    """The page, its number of queries and of templates rendered."""
    templates = []

    def count(sender, **kwargs):
        templates.append(kwargs["template"].name)

    template_rendered.connect(count)
    try:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(URL).content.decode()
    finally:
        template_rendered.disconnect(count)
    return page, len(queries), len(templates)


def test_a_row_costs_no_query_no_template_and_a_bounded_number_of_bytes(as_staff):
    """19 rows (the demo) against 50 (a full page at scale): the same queries and the same
    templates, and the difference in bytes is rows of at most ROW_BYTES."""
    hosts = bulk_hosts(5)
    bulk_listings(hosts, 19)
    as_staff.get(URL)  # the filters' values are cached
    demo, demo_queries, demo_templates = _page(as_staff)
    bulk_listings(hosts, 31)
    as_staff.get(URL)
    scale, scale_queries, scale_templates = _page(as_staff)

    assert (len(ROW.findall(demo)), len(ROW.findall(scale))) == (19, 50)
    assert scale_queries == demo_queries
    # unfold rendered the checkbox, each badge and each boolean icon through a template per row
    assert scale_templates == demo_templates
    per_row = (len(scale.encode()) - len(demo.encode())) / 31
    assert per_row < ROW_BYTES, per_row
