"""factory-boy factories for the whole suite (core, APIs, back-office)."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import roles
from accounts.models import User
from bookings.models import Booking
from bookings.services import booking_create
from listings.models import Amenity, Listing
from reviews.models import Review

PASSWORD = "demo-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get_or_create(name=name)[0])
        if create:
            self.save()


class HostFactory(UserFactory):
    @factory.post_generation
    def host_role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get_or_create(name=roles.HOSTS)[0])


class AmenityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Amenity
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"amenity-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    host = factory.SubFactory(HostFactory)
    title = factory.Sequence(lambda n: f"Listing {n}")
    city = "Lisbon"
    country = "PT"
    time_zone = "UTC"
    max_guests = 4
    nightly_price = Decimal("100.00")
    cleaning_fee = Decimal("0.00")
    currency = "EUR"
    cancellation_policy = Listing.CancellationPolicy.MODERATE
    instant_book = True
    status = Listing.Status.PUBLISHED


def future(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def make_booking(
    *, listing=None, guest=None, check_in=None, nights=3, guests=2, **kwargs
) -> Booking:
    """A booking made through the real service (so it occupies the calendar)."""
    listing = listing or ListingFactory()
    guest = guest or UserFactory()
    check_in = check_in or future(30)
    return booking_create(
        guest=guest,
        listing=listing,
        check_in=check_in,
        check_out=check_in + dt.timedelta(days=nights),
        guests=guests,
        **kwargs,
    )


def make_completed_stay(*, listing=None, guest=None, ended_days_ago=2, nights=3) -> Booking:
    """A paid stay in the past, status completed (past dates cannot be booked via the
    service, so the dates are moved back after a real booking)."""
    booking = make_booking(listing=listing, guest=guest, check_in=future(400), nights=nights)
    check_out = timezone.localdate() - dt.timedelta(days=ended_days_ago)
    check_in = check_out - dt.timedelta(days=nights)
    Booking.objects.filter(pk=booking.pk).update(
        check_in=check_in, check_out=check_out, status=Booking.Status.COMPLETED,
        amount_paid=booking.total,
    )  # fmt: skip
    booking.occupancy.__class__.objects.filter(pk=booking.occupancy_id).update(
        start=check_in, end=check_out
    )
    booking.refresh_from_db()
    return booking


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    booking = factory.LazyFunction(make_completed_stay)
    listing = factory.LazyAttribute(lambda o: o.booking.listing)
    author = factory.LazyAttribute(lambda o: o.booking.guest)
    rating = 5
    comment = "Lovely stay."
