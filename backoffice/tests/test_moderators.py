"""Moderators read what a review decision needs: reviewed listings, no emails, no exports,
no money on the dashboard."""

import pytest
from django.urls import reverse

from tests.factories import ListingFactory, ReviewFactory, make_completed_stay

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(own_listing):
    ReviewFactory(booking=make_completed_stay(listing=own_listing))
    return own_listing


def test_moderator_lists_only_reviewed_listings_without_host_emails(as_moderator, reviewed, host):
    unreviewed = ListingFactory(title="Quiet cabin")
    body = as_moderator.get(reverse("admin:listings_listing_changelist")).content.decode()
    assert reviewed.title in body
    assert unreviewed.title not in body
    assert host.email not in body
    change = reverse("admin:listings_listing_change", args=[unreviewed.pk])
    assert as_moderator.get(change).status_code == 404
    page = as_moderator.get(reverse("admin:listings_listing_change", args=[reviewed.pk]))
    assert page.status_code == 200 and host.email not in page.content.decode()


def test_moderator_cannot_search_by_host_email(as_moderator, reviewed, host):
    url = reverse("admin:listings_listing_changelist")
    body = as_moderator.get(url, {"q": host.email}).content.decode()
    assert reviewed.title not in body


@pytest.mark.parametrize("model", ["listings_listing", "reviews_review", "bookings_booking"])
def test_moderator_cannot_export(as_moderator, reviewed, model):
    url = reverse(f"admin:{model}_export")
    assert as_moderator.get(url).status_code == 403
    assert as_moderator.post(url, {"format": "0", "resource": "0"}).status_code == 403


def test_moderator_dashboard_shows_only_review_figures(as_moderator, reviewed):
    body = as_moderator.get(reverse("admin:index")).content.decode()
    assert 'data-kpi="pending"' in body and 'data-kpi="rating"' in body
    for money in ("gbv", "revenue", "adr", "revpar", "payouts", "bookings"):
        assert f'data-kpi="{money}"' not in body
    assert "Paid booking value per week" not in body
