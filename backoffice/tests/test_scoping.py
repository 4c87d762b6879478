"""Who sees what, on every path a person can reach: lists, typed URLs, filters, search,
autocomplete, history, export and actions."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from bookings.models import Booking
from listings.models import Listing
from reviews.models import Review
from tests.factories import ReviewFactory, make_booking, make_completed_stay

pytestmark = pytest.mark.django_db


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def history_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[obj.pk])


def listings_url():
    return reverse("admin:listings_listing_changelist")


def bookings_url():
    return reverse("admin:bookings_booking_changelist")


# --- logging in -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["host", "moderator", "auditor", "staff"])
def test_each_role_logs_in_without_the_staff_flag(client, request, who):
    user = request.getfixturevalue(who)
    response = client.post(
        reverse("admin:login"), {"username": user.email, "password": "demo-password"}
    )
    assert response.status_code == 302, response.content[:500]
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_plain_guest_cannot_log_in(client, guest):
    response = client.post(
        reverse("admin:login"), {"username": guest.email, "password": "demo-password"}
    )
    assert response.status_code == 200
    assert b"no access to the back-office" in response.content
    assert client.get(reverse("admin:index")).status_code == 302


# --- hosts ----------------------------------------------------------------------------------


def test_host_lists_only_own_listings(as_host, own_listing, foreign_listing):
    body = as_host.get(listings_url()).content.decode()
    assert own_listing.title in body
    assert foreign_listing.title not in body


def test_host_search_stays_in_scope(as_host, own_listing, foreign_listing):
    body = as_host.get(listings_url(), {"q": "villa"}).content.decode()
    assert foreign_listing.title not in body


@pytest.mark.parametrize("url_of", [change_url, history_url])
def test_another_hosts_listing_by_typed_url_is_404(as_host, foreign_listing, url_of):
    assert as_host.get(url_of(foreign_listing)).status_code == 404


def test_another_hosts_historical_version_is_404(as_host, foreign_listing):
    version = foreign_listing.history.first()
    url = reverse(
        "admin:listings_listing_simple_history", args=[foreign_listing.pk, version.history_id]
    )
    assert as_host.get(url).status_code == 404


def test_host_cannot_post_changes_to_another_hosts_listing(as_host, foreign_listing):
    response = as_host.post(change_url(foreign_listing), {"title": "Hijacked"})
    assert response.status_code == 404
    foreign_listing.refresh_from_db()
    assert foreign_listing.title == "Faraway villa"


def test_host_sees_guest_name_not_contacts(as_host, own_listing, guest):
    booking = make_booking(listing=own_listing, guest=guest)
    for url in (bookings_url(), change_url(booking)):
        body = as_host.get(url).content.decode()
        assert "Gina Guest" in body
        assert guest.email not in body
        assert guest.phone not in body


def test_host_booking_list_and_filters_hide_other_hosts(as_host, own_listing, foreign_listing):
    mine = make_booking(listing=own_listing)
    theirs = make_booking(listing=foreign_listing)
    body = as_host.get(bookings_url()).content.decode()
    assert str(mine.pk)[:8] in body
    assert str(theirs.pk)[:8] not in body
    assert foreign_listing.title not in body  # not even as a filter choice
    assert "Faro" not in body  # the city filter only offers the host's cities
    assert as_host.get(change_url(theirs)).status_code == 404


def test_host_export_contains_only_own_bookings_without_emails(
    as_host, own_listing, foreign_listing
):
    mine = make_booking(listing=own_listing)
    theirs = make_booking(listing=foreign_listing)
    response = as_host.post(
        reverse("admin:bookings_booking_export"), {"format": "0", "resource": "0"}
    )
    assert response.status_code == 200, response.content[:1000]
    body = response.content.decode()
    assert str(mine.pk) in body
    assert str(theirs.pk) not in body
    assert mine.guest.email not in body


def test_user_autocomplete_is_closed_to_hosts(as_host, other_host):
    url = reverse("admin:autocomplete")
    response = as_host.get(
        url, {"app_label": "listings", "model_name": "listing", "field_name": "host", "term": "o"}
    )
    assert response.status_code == 403


def test_host_cannot_see_people_or_the_audit_timeline(as_host):
    assert as_host.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert as_host.get(reverse("admin:audit_timeline")).status_code == 403


def test_host_cannot_moderate(as_host, own_listing):
    review = ReviewFactory(booking=make_completed_stay(listing=own_listing))
    as_host.post(
        reverse("admin:reviews_review_changelist"),
        {"action": "publish", ACTION_CHECKBOX_NAME: [review.pk], "index": 0},
    )
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING


def test_host_responds_to_a_review_of_their_listing(as_host, own_listing):
    review = ReviewFactory(booking=make_completed_stay(listing=own_listing))
    response = as_host.post(change_url(review), {"response": "Thank you!"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.response == "Thank you!"
    assert review.status == Review.Status.PENDING


# --- auditors -------------------------------------------------------------------------------


def test_auditor_reads_everything_but_gets_no_save_button(as_auditor, own_listing, foreign_listing):
    body = as_auditor.get(listings_url()).content.decode()
    assert own_listing.title in body and foreign_listing.title in body
    page = as_auditor.get(change_url(own_listing)).content.decode()
    assert 'name="_save"' not in page
    assert 'name="_continue"' not in page
    assert as_auditor.get(history_url(own_listing)).status_code == 200
    assert as_auditor.get(reverse("admin:listings_listing_add")).status_code == 403


def test_auditor_posts_are_refused(as_auditor, own_listing):
    assert as_auditor.post(change_url(own_listing), {"title": "Changed"}).status_code == 403
    as_auditor.post(
        listings_url(), {"action": "unpublish", ACTION_CHECKBOX_NAME: [own_listing.pk], "index": 0}
    )
    own_listing.refresh_from_db()
    assert own_listing.title == "Hannah loft"
    assert own_listing.status == Listing.Status.PUBLISHED


def test_nobody_reverts_history(as_staff, own_listing):
    version = own_listing.history.first()
    url = reverse(
        "admin:listings_listing_simple_history", args=[own_listing.pk, version.history_id]
    )
    assert as_staff.get(url).status_code == 200
    assert as_staff.post(url, {"title": "Reverted"}).status_code == 405


# --- moderators -----------------------------------------------------------------------------


def test_moderator_sees_the_queue_but_cannot_create_listings(as_moderator, own_listing):
    ReviewFactory(booking=make_completed_stay(listing=own_listing), comment="Spotless flat")
    assert (
        "Spotless flat"
        in as_moderator.get(reverse("admin:reviews_review_changelist")).content.decode()
    )
    assert as_moderator.get(reverse("admin:listings_listing_add")).status_code == 403
    assert as_moderator.get(reverse("admin:calendars_hostblock_changelist")).status_code == 403


def test_staff_see_guest_contacts(as_staff, own_listing, guest):
    booking = make_booking(listing=own_listing, guest=guest)
    assert guest.email in as_staff.get(change_url(booking)).content.decode()
    assert Booking.objects.count() == 1


def test_moderators_see_reviewed_stays_only_and_no_people(as_moderator, db):
    from tests.factories import ReviewFactory, make_booking

    reviewed = ReviewFactory().booking
    unreviewed = make_booking()
    page = as_moderator.get("/admin/bookings/booking/")
    assert page.status_code == 200
    assert str(reviewed.pk)[:8] in page.content.decode()
    assert str(unreviewed.pk)[:8] not in page.content.decode()
    assert as_moderator.get(f"/admin/bookings/booking/{unreviewed.pk}/change/").status_code == 404
    assert as_moderator.get("/admin/accounts/user/").status_code == 403
    assert as_moderator.get(f"/admin/accounts/user/{unreviewed.guest.pk}/change/").status_code in (
        403,
        404,
    )
