"""History with per-field diffs, and the global audit timeline (filters, CSV, access)."""

import pytest
from django.urls import reverse

from calendars.services import calendar_price_set, host_block_create
from common.actor import acting_as
from listings.services import listing_update
from tests.factories import future, make_booking

pytestmark = pytest.mark.django_db


def test_object_history_shows_old_and_new_values(as_auditor, own_listing, host):
    with acting_as(host):
        listing_update(listing=own_listing, actor=host, title="Hannah penthouse")
    url = reverse("admin:listings_listing_history", args=[own_listing.pk])
    body = as_auditor.get(url).content.decode()
    assert "Hannah loft" in body and "Hannah penthouse" in body
    assert f"user:{host.email}" in body
    assert 'name="_save"' not in body


def test_timeline_filters_by_actor_model_and_object(as_auditor, own_listing, foreign_listing, host):
    with acting_as(host):
        listing_update(listing=own_listing, actor=host, title="Renamed by host")
    url = reverse("admin:audit_timeline")
    by_actor = as_auditor.get(url, {"actor": host.email}).context["page"].object_list
    assert {row["object_id"] for row in by_actor} == {own_listing.pk}
    by_object = (
        as_auditor.get(url, {"model": "listings.listing", "object_id": str(foreign_listing.pk)})
        .context["page"]
        .object_list
    )
    assert by_object and all(row["object_id"] == foreign_listing.pk for row in by_object)


def test_timeline_rejects_malformed_filters_readably(as_auditor):
    url = reverse("admin:audit_timeline")
    page = as_auditor.get(url, {"since": "yesterday-ish", "object_id": "nope"})
    assert page.status_code == 200
    assert "since" in page.context["form"].errors
    csv_response = as_auditor.get(reverse("admin:audit_csv"), {"since": "bad"})
    assert csv_response.status_code == 400
    assert b"since" in csv_response.content


def test_timeline_csv_export(as_staff, own_listing):
    response = as_staff.get(reverse("admin:audit_csv"), {"model": "listings.listing"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    header, *rows = text.strip().splitlines()
    assert header.startswith("history_date,model,object_id")
    assert any(str(own_listing.pk) in row for row in rows)


def test_moderators_and_hosts_have_no_global_timeline(as_moderator, as_host):
    for client in (as_moderator, as_host):
        assert client.get(reverse("admin:audit_timeline")).status_code == 403
        assert client.get(reverse("admin:audit_csv")).status_code == 403


def _changes(client, **params):
    response = client.get(reverse("admin:audit_timeline"), params)
    assert response.status_code == 200
    return response.context["changes"], response.content.decode()


def test_one_change_is_one_row_named_in_words(as_auditor, own_listing, host, guest):
    with acting_as(host):
        host_block_create(listing=own_listing, start=future(10), end=future(12), note="Painting",
                          actor=host)  # fmt: skip
        calendar_price_set(listing=own_listing, start=future(20), end=future(25), price=90,
                           actor=host)  # fmt: skip
    with acting_as(guest):
        booking = make_booking(listing=own_listing, guest=guest, check_in=future(40))
    changes, body = _changes(as_auditor)
    blocks = [c for c in changes if c["kind"] == "Host block"]
    assert len(blocks) == 1  # it was listed twice, as an occupancy and as a host block
    assert blocks[0]["name"].startswith("Hannah loft · ") and "Painting" in blocks[0]["name"]
    # The booking and the nights it holds: one change, named by its listing and dates.
    bookings = [c for c in changes if c["object_id"] == booking.pk]
    assert len(bookings) == 1 and bookings[0]["kind"] == "Booking"
    assert len(bookings[0]["records"]) == 2
    assert bookings[0]["name"].startswith("Hannah loft · ")
    assert f"{booking.check_out:%d %b %Y}" in bookings[0]["name"]
    # Five nights priced at once: one change of the listing's calendar.
    priced = [c for c in changes if c["kind"] == "Calendar price or closed night"]
    assert len(priced) == 1 and priced[0]["name"] == "Hannah loft · 5 nights"
    assert "Hannah Host &lt;host@example.test&gt;" in body
    assert " object (" not in body and ">calendars.occupancy<" not in body


def test_timeline_filters_by_person(as_auditor, own_listing, host, staff):
    with acting_as(host):
        listing_update(listing=own_listing, actor=host, title="Renamed by host")
    with acting_as(staff):
        listing_update(listing=own_listing, actor=staff, title="Renamed by staff")
    changes, _body = _changes(as_auditor, person=str(host.pk))
    assert [c["name"] for c in changes] == ["Renamed by staff"]  # today's name of the listing
    assert {c["history_user_id"] for c in changes} == {host.pk}


def test_people_suggestions_by_name_or_email(as_auditor, as_host, host):
    url = reverse("admin:audit_actors")
    by_name = as_auditor.get(url, {"term": "hannah"}).json()
    assert by_name["results"] == [{"id": str(host.pk), "text": "Hannah Host <host@example.test>"}]
    assert as_auditor.get(url, {"term": "host@example"}).json()["results"][0]["id"] == str(host.pk)
    assert as_host.get(url, {"term": "hannah"}).status_code == 403


def test_timeline_page_reads_in_a_fixed_number_of_queries(
    as_auditor, own_listing, host, guest, django_assert_max_num_queries
):
    with acting_as(host):
        for week in range(6):
            host_block_create(listing=own_listing, start=future(10 + 7 * week),
                              end=future(12 + 7 * week), actor=host)  # fmt: skip
    with acting_as(guest):
        for week in range(4):
            make_booking(listing=own_listing, guest=guest, check_in=future(100 + 7 * week))
    with django_assert_max_num_queries(25):
        _changes(as_auditor)
