"""Malformed addresses are a 400 or a form error with a message, never a 500."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import ListingFactory, UserFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("until", ["9999-12-31", "0001-01-01"])
def test_audit_timeline_refuses_dates_out_of_range(as_staff, until):
    page = as_staff.get(reverse("admin:audit_timeline"), {"until": until})
    assert page.status_code == 200
    assert "Pick a date between" in page.content.decode()
    csv = as_staff.get(reverse("admin:audit_csv"), {"until": until})
    assert csv.status_code == 400
    assert b"Pick a date between" in csv.content


@pytest.mark.parametrize("model", ["listings_listing", "bookings_booking", "reviews_review"])
def test_export_with_an_unknown_filter_is_a_400(as_staff, model):
    url = reverse(f"admin:{model}_export")
    assert as_staff.get(url, {"foo": "1"}).status_code == 400
    assert as_staff.post(url + "?foo=1", {"format": "0", "resource": "0"}).status_code == 400


def test_export_with_a_bad_price_filter_is_a_400_not_everything(as_staff):
    ListingFactory()
    url = reverse("admin:listings_listing_export") + "?nightly_price_from=abc"
    response = as_staff.post(url, {"format": "0", "resource": "0"})
    assert response.status_code == 400
    assert b"nightly_price" in response.content
    changelist = reverse("admin:listings_listing_changelist")
    listing = as_staff.get(changelist, {"nightly_price_from": "abc"}, follow=True)
    assert listing.status_code == 200 and "e=1" in listing.redirect_chain[-1][0]


def test_a_valid_price_filter_still_filters_the_export(as_staff):
    ListingFactory(title="Cheap room", nightly_price="40.00")
    ListingFactory(title="Dear villa", nightly_price="400.00")
    url = reverse("admin:listings_listing_export") + "?nightly_price_from=100"
    body = as_staff.post(url, {"format": "0", "resource": "0"}).content.decode()
    assert "Dear villa" in body and "Cheap room" not in body


def test_add_form_ignores_a_malformed_initial_host(as_staff, host):
    url = reverse("admin:listings_listing_add")
    response = as_staff.get(url, {"host": "bad"})
    assert response.status_code == 200
    assert "not a valid id" in response.content.decode()
    assert as_staff.get(url, {"host": str(host.pk)}).status_code == 200


def test_staff_without_the_audit_permission_get_403(db):
    clerk = UserFactory(email="clerk@example.test", is_staff=True)
    client = client_for(clerk)
    assert client.get(reverse("admin:audit_timeline")).status_code == 403
    assert client.get(reverse("admin:audit_csv")).status_code == 403
    assert "Audit timeline" not in client.get(reverse("admin:index")).content.decode()

    clerk.user_permissions.add(Permission.objects.get(codename="view_historicaluser"))
    client = client_for(clerk)  # permissions are cached per user object
    assert client.get(reverse("admin:audit_timeline")).status_code == 200


def test_auditors_and_superusers_read_the_timeline(as_auditor, as_staff):
    assert as_auditor.get(reverse("admin:audit_timeline")).status_code == 200
    assert as_staff.get(reverse("admin:audit_timeline")).status_code == 200
