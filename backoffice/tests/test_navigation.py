"""The sidebar lights up exactly one entry per page (unfold's "active" callback)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def active_entries(client, url: str) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200
    return [
        str(item["title"])
        for group in page.context["sidebar_navigation"]
        for item in group["items"]
        if item["active"]
    ]


@pytest.mark.parametrize(
    ("query", "active"),
    [("?status__exact=pending", "Moderation queue"), ("", "All reviews"),
     ("?status__exact=published", "All reviews")],
)  # fmt: skip
def test_only_the_right_reviews_entry_is_active(as_moderator, query, active):
    url = reverse("admin:reviews_review_changelist") + query
    assert active_entries(as_moderator, url) == [active]


def test_bookings_and_requests_to_answer_are_told_apart(as_host):
    bookings = reverse("admin:bookings_booking_changelist")
    assert active_entries(as_host, bookings) == ["Bookings"]
    assert active_entries(as_host, bookings + "?status__exact=requested") == ["Requests to answer"]


def test_dashboard_is_active_only_on_the_dashboard(as_staff):
    assert active_entries(as_staff, reverse("admin:index")) == ["Dashboard"]
    assert active_entries(as_staff, reverse("admin:listings_listing_changelist")) == ["Listings"]


def test_a_review_opened_from_the_queue_keeps_the_queue_active(as_moderator, own_listing):
    from tests.factories import ReviewFactory, make_completed_stay

    review = ReviewFactory(booking=make_completed_stay(listing=own_listing))
    url = reverse("admin:reviews_review_change", args=[review.pk])
    filters = "?_changelist_filters=status__exact%3Dpending"
    assert active_entries(as_moderator, url + filters) == ["Moderation queue"]
    assert active_entries(as_moderator, url) == ["All reviews"]


def test_hosts_have_no_moderation_queue(as_host, own_listing):
    from tests.factories import ReviewFactory, make_completed_stay

    ReviewFactory(booking=make_completed_stay(listing=own_listing))  # pending, on their listing
    page = as_host.get(reverse("admin:index"))
    titles = [str(i["title"]) for g in page.context["sidebar_navigation"] for i in g["items"]]
    assert "Moderation queue" not in titles
    assert "Reviews" in titles


@pytest.mark.django_db
def test_each_badge_is_counted_once_per_page(as_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        as_staff.get(reverse("admin:reviews_review_changelist"))
    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    requested = [sql for sql in counts if "'requested'" in sql]
    pending = [sql for sql in counts if "'pending'" in sql and "reviews_review" in sql]
    assert len(requested) == 1 and len(pending) == 1


@pytest.mark.parametrize("role", ["staff", "host", "moderator", "auditor"])
def test_every_link_on_the_dashboard_opens_for_its_role(role, request, own_listing):
    """The sidebar offers each role only what it may open: the auditors' Email notifications
    entry was a 403 (their read permissions left the notifications app out)."""
    import re

    client = request.getfixturevalue(f"as_{role}")
    body = client.get(reverse("admin:index")).content.decode()
    links = {link for link in re.findall(r'href="(/admin/[^"#]*)"', body) if "logout" not in link}
    assert len(links) >= 4
    refused = {}
    for link in sorted(links):
        status = client.get(link.replace("&amp;", "&")).status_code
        if status != 200:
            refused[link] = status
    assert refused == {}
