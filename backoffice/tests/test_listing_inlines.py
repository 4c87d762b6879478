"""Calendar inlines on the listing form: the core's services check the rows before anything is
saved, so a refusal shows on the form with the person's edits kept."""

from decimal import Decimal

import pytest
from django.urls import reverse

from calendars.models import CalendarDay, HostBlock
from listings.models import Listing
from tests.factories import AmenityFactory, future, make_booking

pytestmark = pytest.mark.django_db


def change_form(listing, **overrides):
    """The listing's change form as posted: its current values plus `overrides`."""
    data = {
        "title": listing.title, "property_type": listing.property_type, "city": listing.city,
        "country": listing.country, "time_zone": listing.time_zone,
        "max_guests": listing.max_guests, "bedrooms": listing.bedrooms, "beds": listing.beds,
        "bathrooms": listing.bathrooms, "nightly_price": listing.nightly_price,
        "cleaning_fee": listing.cleaning_fee, "currency": listing.currency,
        "min_nights": listing.min_nights, "max_nights": listing.max_nights,
        "weekly_discount": "0", "monthly_discount": "0", "tax_rate": "0",
        "cancellation_policy": listing.cancellation_policy, "instant_book": "on",
    }  # fmt: skip
    for prefix in ("photos", "calendar_days", "occupancies"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(overrides)
    return data


def new_block(start, end, note=""):
    return {"occupancies-TOTAL_FORMS": 1, "occupancies-0-start": start,
            "occupancies-0-end": end, "occupancies-0-note": note}  # fmt: skip


def post(client, listing, data):
    return client.post(reverse("admin:listings_listing_change", args=[listing.pk]), data)


def test_a_block_over_a_booking_is_refused_on_the_form_with_edits_kept(as_host, own_listing):
    make_booking(listing=own_listing, check_in=future(10), nights=3)
    data = change_form(own_listing, title="Renamed loft", **new_block(future(11), future(14)))

    response = post(as_host, own_listing, data)

    assert response.status_code == 200  # the form again, not a redirect
    block_form = response.context["inline_admin_formsets"][2].formset.forms[0]
    assert "These dates are not available." in str(block_form.errors)
    body = response.content.decode()
    assert "These dates are not available." in body
    assert 'value="Renamed loft"' in body  # the person's edits are still there
    assert f'value="{future(11).isoformat()}"' in body
    own_listing.refresh_from_db()
    assert own_listing.title == "Hannah loft"  # nothing saved, the listing included
    assert not HostBlock.objects.filter(listing=own_listing).exists()


def test_closing_a_booked_night_is_refused_on_its_row(as_host, own_listing):
    make_booking(listing=own_listing, check_in=future(10), nights=3)
    data = change_form(own_listing, **{
        "calendar_days-TOTAL_FORMS": 1, "calendar_days-0-date": future(11),
        "calendar_days-0-is_blocked": "on",
    })  # fmt: skip

    response = post(as_host, own_listing, data)

    assert response.status_code == 200
    day_form = response.context["inline_admin_formsets"][1].formset.forms[0]
    assert day_form.errors["date"] == ["These dates are not available."]
    assert not CalendarDay.objects.exists()


def test_two_new_blocks_overlapping_each_other_are_refused(as_host, own_listing):
    data = change_form(own_listing, **{
        "occupancies-TOTAL_FORMS": 2,
        "occupancies-0-start": future(40), "occupancies-0-end": future(45),
        "occupancies-1-start": future(43), "occupancies-1-end": future(47),
    })  # fmt: skip

    response = post(as_host, own_listing, data)

    assert response.status_code == 200
    assert "These dates are not available." in str(
        response.context["inline_admin_formsets"][2].formset.forms[1].errors
    )
    assert not HostBlock.objects.exists()


def test_valid_rows_are_saved_once_through_the_services(as_host, own_listing, host):
    data = change_form(own_listing, title="Renamed loft", **new_block(future(40), future(43)))
    data.update({"calendar_days-TOTAL_FORMS": 1, "calendar_days-0-date": future(50),
                 "calendar_days-0-price": "150.00"})  # fmt: skip

    response = post(as_host, own_listing, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    block = HostBlock.objects.get(listing=own_listing)  # the trial run left nothing behind
    assert (block.start, block.end, block.created_by) == (future(40), future(43), host)
    assert CalendarDay.objects.get(listing=own_listing).price == 150
    assert Listing.objects.get(pk=own_listing.pk).title == "Renamed loft"
    assert block.history.count() == 1  # one history row: the real save, not the trial


def test_a_block_can_be_replaced_by_an_overlapping_one_in_one_save(as_host, own_listing, host):
    from calendars.services import host_block_create

    old = host_block_create(listing=own_listing, start=future(40), end=future(43), actor=host)
    data = change_form(own_listing, **{
        "occupancies-TOTAL_FORMS": 2, "occupancies-INITIAL_FORMS": 1,
        "occupancies-0-id": old.pk, "occupancies-0-start": old.start,
        "occupancies-0-end": old.end, "occupancies-0-DELETE": "on",
        "occupancies-1-start": future(41), "occupancies-1-end": future(45),
    })  # fmt: skip

    response = post(as_host, own_listing, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert [(b.start, b.end) for b in HostBlock.objects.filter(is_active=True)] == [
        (future(41), future(45))
    ]


def test_a_new_listing_is_created_with_its_block(as_host, host):
    listing = Listing(title="Brand new", city="Nice", country="FR", time_zone="UTC",
                      max_guests=2, nightly_price=80, currency="EUR")  # fmt: skip
    data = change_form(listing, **new_block(future(40), future(42), "Owner stay"))

    response = as_host.post(reverse("admin:listings_listing_add"), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    created = Listing.objects.get(title="Brand new")
    assert created.host == host
    assert HostBlock.objects.get(listing=created).note == "Owner stay"


# --- the calendar override admin (its own list) ---------------------------------------------


def test_override_date_and_listing_are_read_only_on_change(as_host, own_listing):
    from calendars.models import CalendarDay
    from calendars.services import calendar_day_set

    day = future(10)
    entry = calendar_day_set(listing=own_listing, day=day, actor=own_listing.host, price="90")
    url = reverse("admin:calendars_calendarday_change", args=[entry.pk])
    response = as_host.post(url, {"listing": own_listing.pk, "date": future(11).isoformat(),
                                  "price": "95", "is_blocked": ""})  # fmt: skip
    assert response.status_code == 302
    assert list(CalendarDay.objects.values_list("date", "price")) == [(day, Decimal("95.00"))]


def test_an_empty_override_is_refused_with_a_message(as_host, own_listing):
    from calendars.models import CalendarDay

    url = reverse("admin:calendars_calendarday_add")
    response = as_host.post(url, {"listing": own_listing.pk, "date": future(12).isoformat(),
                                  "price": "", "is_blocked": ""})  # fmt: skip
    assert response.status_code == 200
    assert "Set a price or close the night." in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_hosts_read_the_amenity_catalogue_but_cannot_change_it(as_host):
    amenity = AmenityFactory(name="Sauna", slug="sauna")
    url = reverse("admin:autocomplete")
    found = as_host.get(url, {"app_label": "listings", "model_name": "listing",
                              "field_name": "amenities", "term": "sau"})  # fmt: skip
    assert found.status_code == 200 and "Sauna" in found.content.decode()
    change = reverse("admin:listings_amenity_change", args=[amenity.pk])
    assert as_host.get(change).status_code == 200
    assert as_host.post(change, {"name": "Spa", "slug": "sauna"}).status_code == 403
    amenity.refresh_from_db()
    assert amenity.name == "Sauna"


# --- reassigning a listing's host (staff) ----------------------------------------------------


def test_staff_reassign_a_listing_through_listing_transfer(as_staff, staff, own_listing, host):
    from accounts import roles
    from tests.factories import UserFactory

    newcomer = UserFactory(email="newcomer@example.test")
    assert not roles.is_host(newcomer)
    response = post(as_staff, own_listing, change_form(own_listing, host=newcomer.pk))

    assert response.status_code == 302, response.content[:2000]
    own_listing.refresh_from_db()
    assert own_listing.host == newcomer
    newcomer = type(newcomer).objects.get(pk=newcomer.pk)  # roles are cached per object
    assert roles.is_host(newcomer)  # the new owner can now sign in as a host
    latest = own_listing.history.first()
    assert latest.host_id == newcomer.pk and latest.history_user == staff
    assert latest.prev_record.host_id == host.pk


def test_a_host_cannot_reassign_their_listing(as_host, own_listing, host, other_host):
    response = post(as_host, own_listing, change_form(own_listing, host=other_host.pk))
    assert response.status_code == 302
    own_listing.refresh_from_db()
    assert own_listing.host == host
