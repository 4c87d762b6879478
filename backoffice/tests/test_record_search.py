"""The sidebar's search finds records within what the role may open."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory, future, make_booking

pytestmark = pytest.mark.django_db


def search(client, term, extended=False):
    params = {"s": term, **({"extended": "1"} if extended else {})}
    return client.get(reverse("admin:search"), params).content.decode()


def test_hosts_find_their_listings_and_guests_by_name_not_others(as_host, own_listing,
                                                                 foreign_listing):  # fmt: skip
    make_booking(listing=own_listing, guest=UserFactory(first_name="Zelda"), check_in=future(9))
    make_booking(listing=foreign_listing, guest=UserFactory(first_name="Zeldon"))
    body = search(as_host, "Hannah loft")
    assert "Hannah loft" in body and reverse("admin:listings_listing_change",
                                             args=[own_listing.pk]) in body  # fmt: skip
    assert "Faraway" not in search(as_host, "Faraway villa")
    body = search(as_host, "zeld")
    assert "Zelda" in body and "Zeldon" not in body
    assert "Person ·" not in search(as_host, "example")  # hosts search no users


def test_staff_find_people_by_email_and_the_palette_finds_records_too(as_staff, own_listing):
    body = search(as_staff, "host@example")
    assert "Person · host@example.test" in body
    assert "Hannah loft" in search(as_staff, "porto", extended=True)
