"""Hosts and moderators never read another person's email: not as the actor of a history
row, not in a diff, not as a review's moderator. Staff and auditors read the full trail."""

import re

import pytest
from django.urls import reverse

from common.actor import acting_as
from listings import services as listing_services
from reviews import services as review_services
from tests.factories import ReviewFactory, UserFactory, make_completed_stay

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def emails_in(response, own_email):
    assert response.status_code == 200
    return set(EMAIL.findall(response.content.decode())) - {own_email}


@pytest.fixture
def moderated_review(own_listing, moderator, staff):
    guest = UserFactory(email="gina@example.test", first_name="Gina")
    review = ReviewFactory(booking=make_completed_stay(listing=own_listing, guest=guest))
    review_services.review_publish(review=review, actor=moderator)
    with acting_as(staff):  # a staff edit of the host's listing
        listing_services.listing_update(listing=own_listing, actor=staff, title="Renamed loft")
    return review


def url(obj, view):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])


def test_host_reads_no_other_email_on_history_and_review_pages(
    as_host, host, own_listing, moderated_review
):
    pages = [
        url(moderated_review, "history"),
        url(moderated_review, "change"),
        reverse("admin:reviews_review_changelist"),
        url(own_listing, "history"),
        url(own_listing, "change"),  # the History tab
    ]
    for page in pages:
        assert emails_in(as_host.get(page), host.email) == set(), page


def test_host_reads_first_names_and_staff(as_host, own_listing, moderator, moderated_review):
    history = as_host.get(url(own_listing, "history")).content.decode()
    assert '<td class="px-3 py-2">staff</td>' in history
    review_history = as_host.get(url(moderated_review, "history")).content.decode()
    assert moderator.first_name and moderator.first_name in review_history


def test_staff_read_the_full_actor_label(as_staff, own_listing, moderated_review):
    body = as_staff.get(url(own_listing, "history")).content.decode()
    assert "user:staff@example.test" in body
    review = as_staff.get(url(moderated_review, "history")).content.decode()
    assert "moderator@example.test" in review
