"""Deterministic demo data: the five demo accounts, listings in ten cities, stays in every status,
published and pending reviews. Future stays go through the real services; past stays (which the
services rightly refuse to create) are written directly with the same pricing code.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts import roles
from accounts.models import User
from bookings import services as booking_services
from bookings.models import Booking, BookingStatus
from bookings.pricing import PriceRules, quote
from calendars.models import Occupancy
from calendars.services import host_block_create
from common.actor import acting_as
from common.money import money
from listings.models import Amenity, Listing, ListingPhoto
from messaging.services import conversation_start, message_send
from notifications.services import notifications_muted
from reviews.models import Review
from reviews.services import listing_rating_refresh

from . import catalogue as cat
from .bulk import Loader
from .money import seed_money
from .photos import placeholder_photo

SEED = 20261124
SYSTEM_ACTOR = "seed_demo"


@dataclass
class SeedReport:
    created: bool
    counts: dict = field(default_factory=dict)


def seed_demo(*, with_money: bool = True) -> SeedReport:
    """Create the demo dataset once; a second run changes nothing. Its money (payments through
    the payment service, refunds, payouts) follows once the rest has committed, since providers
    are never called inside a transaction; without it (`with_money=False`) confirmed stays are
    simply marked paid, as before payments existed."""
    if Listing.objects.filter(host__email=cat.ACCOUNTS["host"][0]).exists():
        return SeedReport(created=False, counts=_counts())
    # Demo people are example.com addresses: nobody is emailed about the demo's history.
    with acting_as(SYSTEM_ACTOR), notifications_muted():
        seeder = _Seeder(random.Random(SEED), pay_later=with_money)
        with transaction.atomic():
            seeder.run()
        if with_money:
            seed_money(
                to_pay=seeder.to_pay,
                to_cancel=seeder.to_cancel,
                host=seeder.host,
                staff=seeder.admin,
                today=seeder.today,
            )
    return SeedReport(created=True, counts=_counts())


def _counts() -> dict:
    return {
        "users": User.objects.count(),
        "listings": Listing.objects.count(),
        "bookings": Booking.objects.count(),
        "reviews": Review.objects.count(),
    }


class _Seeder:
    def __init__(self, rng: random.Random, *, pay_later: bool = False):
        self.rng = rng
        self.pay_later = pay_later  # confirmed stays are paid by seed_money, after commit
        self.to_pay: list[Booking] = []
        self.to_cancel: list[tuple] = []
        self.today = timezone.localdate()
        self.password = make_password(cat.DEMO_PASSWORD)  # hash once, reuse: fast and identical

    # --- people -------------------------------------------------------------------------------

    def user(self, email, first, last, *groups, **flags) -> User:
        user, _ = User.objects.get_or_create(
            email=email,
            defaults={"first_name": first, "last_name": last, "password": self.password, **flags},
        )
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        return user

    def person(self, index: int, *groups) -> User:
        first = cat.FIRST_NAMES[index % len(cat.FIRST_NAMES)]
        last = cat.LAST_NAMES[(index * 7) % len(cat.LAST_NAMES)]
        email = f"{first.lower()}.{last.lower()}{index}@example.net".replace("é", "e")
        email = email.replace("ê", "e").replace("ü", "u").replace("í", "i").replace("ç", "c")
        return self.user(email, first, last, *groups)

    # --- the dataset --------------------------------------------------------------------------

    def run(self) -> None:
        self.amenities = [
            Amenity.objects.get_or_create(slug=slug, defaults={"name": name, "icon": icon})[0]
            for slug, name, icon in cat.AMENITIES
        ]
        accounts = {key: self.user(*cat.ACCOUNTS[key]) for key in cat.ACCOUNTS}
        admin = accounts["admin"]
        admin.is_staff = admin.is_superuser = True
        admin.save()
        accounts["moderator"].groups.add(Group.objects.get(name=roles.MODERATORS))
        accounts["auditor"].groups.add(Group.objects.get(name=roles.AUDITORS))
        host, guest = accounts["host"], accounts["guest"]
        self.host, self.admin = host, admin
        host.groups.add(Group.objects.get(name=roles.HOSTS))
        host.bio = "Superhost in Lisbon and Porto since 2019."
        host.save()

        other_hosts = [self.person(i, roles.HOSTS) for i in range(1, 6)]
        guests = [self.person(i) for i in range(10, 22)]

        own = [
            self.listing(host, 0, "host-lisbon-1", instant_book=True),
            self.listing(host, 1, "host-porto-1", instant_book=False),  # request to book
            self.listing(host, 0, "host-lisbon-2", instant_book=True, policy="strict"),
            self.listing(host, 1, "host-porto-draft", status=Listing.Status.DRAFT),
        ]
        others = [
            self.listing(h, (i * 2 + k) % len(cat.CITIES), f"L{i}{k}")
            for i, h in enumerate(other_hosts)
            for k in range(3)
        ]
        published = [x for x in own + others if x.status == Listing.Status.PUBLISHED]

        # Past stays with reviews: published mostly, some waiting for moderation.
        for n, listing in enumerate(published):
            for k in range(3):
                stay = self.past_stay(listing, guests[(n + k) % len(guests)], 20 + 25 * k + n)
                status = Review.Status.PENDING if (n + k) % 5 == 0 else Review.Status.PUBLISHED
                self.review(stay, status, accounts["moderator"])
            listing_rating_refresh(listing.pk)

        # guest@: a stay that ended 3 days ago with no review yet, and an upcoming confirmed one.
        recent = self.past_stay(own[0], guest, ended_days_ago=3, nights=3)
        self.confirmed(others[0], guest, 21, 4)

        # host@: a pending request on the request-to-book listing, a confirmed stay, a block.
        pending = self.book(own[1], guests[0], 14, 3)
        # ...and guests' messages: a thank-you answered, the requester's question unanswered.
        self.conversation(
            recent,
            [
                (guest, "Thank you for a lovely stay! We left the keys in the box as agreed."),
                (host, "Thank you for being great guests, come back soon!"),
            ],
        )
        self.conversation(
            pending,
            [(guests[0], "Hello! We would arrive around 9 pm: is a late check-in possible?")],
        )
        self.confirmed(own[0], guests[1], 30, 5)
        host_block_create(
            listing=own[0], start=self.day(60), end=self.day(67), note="Owner stay", actor=host
        )

        # The remaining statuses, through the services.
        hold = self.book(others[1], guests[2], 12, 2)  # pending payment (or a request)
        if hold.status == BookingStatus.REQUESTED:
            booking_services.booking_accept(booking=hold, actor=others[1].host)
        cancelled = self.confirmed(others[2], guests[3], 40, 3)
        if self.pay_later:  # cancelled once paid, so the refund goes back through the provider
            self.to_cancel.append((cancelled, guests[3], "Change of plans"))
        else:
            booking_services.booking_cancel(
                booking=cancelled, actor=guests[3], reason="Change of plans"
            )
        request = self.book(own[1], guests[4], 45, 2)
        booking_services.booking_decline(booking=request, actor=host, reason="Dates unavailable")
        stale = self.book(others[3], guests[5], 50, 2)
        # Let this one hold run out, then expire it the way the scheduled task would.
        Booking.objects.filter(pk=stale.pk).update(
            expires_at=timezone.now() - dt.timedelta(hours=1)
        )
        booking_services.booking_expire_stale()
        for k, listing in enumerate(others[4:10]):
            self.confirmed(listing, guests[(k + 6) % len(guests)], 8 + 9 * k, 3 + k % 3)

    # --- building blocks ----------------------------------------------------------------------

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)

    def listing(
        self,
        host,
        city_index,
        external_id,
        *,
        instant_book=None,
        policy=None,
        status=Listing.Status.PUBLISHED,
    ) -> Listing:
        rng = self.rng
        city, country, tz, currency, lat, lng, price = cat.CITIES[city_index]
        nightly = money(Decimal(price) * rng.choice(cat.PRICE_STEPS))
        place = rng.choice(sorted(cat.PLACES))
        property_type, (fewest, most) = cat.PLACES[place]
        bedrooms = rng.randint(fewest, most)
        listing = Listing.objects.create(
            host=host,
            external_id=external_id,
            title=f"{rng.choice(cat.ADJECTIVES)} {place} in {city}",
            description=f"A {place} in the heart of {city}, close to cafés and transport.",
            property_type=property_type,
            address=f"{rng.randint(1, 200)} Main St",
            city=city,
            country=country,
            time_zone=tz,
            currency=currency,
            latitude=Decimal(lat) + Decimal(rng.randint(-900, 900)) / 100000,
            longitude=Decimal(lng) + Decimal(rng.randint(-900, 900)) / 100000,
            max_guests=bedrooms * 2,
            bedrooms=bedrooms,
            beds=bedrooms + rng.randint(0, 1),
            bathrooms=Decimal(max(1, bedrooms - 1)),
            nightly_price=nightly,
            weekend_price=money(nightly * Decimal("1.2")) if rng.random() < 0.5 else None,
            cleaning_fee=money(nightly * Decimal("0.4")),
            min_nights=rng.choice([1, 1, 2, 3]),
            max_nights=rng.choice([30, 60, 90]),
            weekly_discount=Decimal(rng.choice([0, 5, 10])),
            monthly_discount=Decimal(rng.choice([0, 15, 20])),
            tax_rate=Decimal(rng.choice(["0", "5", "6.5", "10"])),
            cancellation_policy=policy or rng.choice(cat.POLICIES),
            instant_book=rng.random() < 0.7 if instant_book is None else instant_book,
            status=status,
        )
        listing.amenities.set(rng.sample(self.amenities, rng.randint(4, 9)))
        self.photo_count = getattr(self, "photo_count", 0) + 1
        ListingPhoto.objects.create(
            listing=listing,
            caption=listing.title,
            position=0,
            image=placeholder_photo(f"{listing.title}", self.photo_count),
        )
        return listing

    def book(self, listing, guest, in_days, nights) -> Booking:
        check_in = self.day(in_days)
        return booking_services.booking_create(
            guest=guest,
            listing=listing,
            check_in=check_in,
            check_out=check_in + dt.timedelta(days=max(nights, listing.min_nights)),
            guests=min(2, listing.max_guests),
        )

    def confirmed(self, listing, guest, in_days, nights) -> Booking:
        """A paid, confirmed stay (accepted first when the listing is request-to-book)."""
        booking = self.book(listing, guest, in_days, nights)
        if booking.status == BookingStatus.REQUESTED:
            booking = booking_services.booking_accept(booking=booking, actor=listing.host)
        if self.pay_later:
            self.to_pay.append(booking)
        else:
            booking = booking_services.booking_mark_paid(booking=booking, amount=booking.total)
        self.backdate(booking, self.today - dt.timedelta(days=self.rng.randint(1, 20)))
        return booking

    def past_stay(self, listing, guest, ended_days_ago, nights=None) -> Booking:
        nights = max(nights or self.rng.randint(2, 6), listing.min_nights)
        check_out = self.day(-ended_days_ago)
        check_in = check_out - dt.timedelta(days=nights)
        stay = historic_booking(listing, guest, check_in, check_out, BookingStatus.COMPLETED)
        # Booked some weeks ahead of the stay, so the dashboard's timelines look lived-in.
        self.backdate(stay, check_in - dt.timedelta(days=self.rng.randint(5, 45)))
        return stay

    def conversation(self, booking, messages) -> None:
        """A conversation about `booking`, through the messaging services. Its messages count
        as notified already: nobody is emailed about the demo's history."""
        first_sender, first_body = messages[0]
        conversation = conversation_start(actor=first_sender, booking=booking, body=first_body)
        for sender, body in messages[1:]:
            message_send(conversation=conversation, actor=sender, body=body)
        conversation.messages.update(notified_at=timezone.now())

    def backdate(self, obj, day: dt.date) -> None:
        """Set when a row was created (auto_now_add ignores values passed on create)."""
        moment = dt.datetime.combine(day, dt.time(self.rng.randint(7, 22)), tzinfo=dt.UTC)
        type(obj).objects.filter(pk=obj.pk).update(created_at=moment)

    def review(self, stay: Booking, status: str, moderator) -> Review:
        rating = self.rng.choice([3, 4, 4, 5, 5, 5])
        published = status == Review.Status.PUBLISHED
        written = stay.check_out + dt.timedelta(days=self.rng.randint(0, 4))
        review = Review.objects.create(
            booking=stay,
            listing_id=stay.listing_id,
            author_id=stay.guest_id,
            rating=rating,
            cleanliness=self.rng.choice([4, 5]),
            location=self.rng.choice([3, 4, 5]),
            comment=self.rng.choice(cat.COMMENTS),
            status=status,
            moderated_by=moderator if published else None,
            moderated_at=(
                dt.datetime.combine(written + dt.timedelta(days=1), dt.time(10), tzinfo=dt.UTC)
                if published
                else None
            ),
        )
        self.backdate(review, written)
        return review


def historic_booking(listing, guest, check_in, check_out, status, *, save=True) -> Booking:
    """A stay in the past, priced by the same quote code as live bookings, fully paid."""
    q = quote(
        PriceRules.of(listing),
        check_in,
        check_out,
        guest_fee_rate=settings.GUEST_SERVICE_FEE_RATE,
        host_fee_rate=settings.HOST_SERVICE_FEE_RATE,
    )
    occupancy = Occupancy(listing=listing, start=check_in, end=check_out, kind="booking")
    booking = Booking(
        guest=guest,
        listing=listing,
        occupancy=occupancy,
        check_in=check_in,
        check_out=check_out,
        guests=min(2, listing.max_guests),
        status=status,
        **q.booking_amounts(),
        price_snapshot=q.as_snapshot(),
        cancellation_policy=listing.cancellation_policy,
        policy_snapshot=booking_services.policy_snapshot(listing.cancellation_policy),
        amount_paid=q.total,
    )
    if save:
        occupancy.save()
        booking.occupancy = occupancy
        booking.save()
    return booking


# --- scale-up for benchmarks ------------------------------------------------------------------


def seed_bulk(*, listings: int, bookings: int, batch_size: int = 5000) -> dict:
    """Add `listings` published listings (with amenities and a photo) and `bookings` past and
    upcoming stays, never overlapping on a listing, each row with its history. Each run adds
    more; meant for benchmarks, not for demos.

    Streams: rows are generated and written in batches (COPY on PostgreSQL, demo.bulk), so
    memory stays flat; one transaction, so a failed run leaves nothing behind. Stays are priced
    by the same quote code as live bookings (demo.seed.Pricer)."""
    rng = random.Random(SEED + Listing.objects.count())
    password = make_password(None)  # unusable: bulk accounts cannot log in
    run = f"{timezone.now():%Y%m%d%H%M%S}{rng.randint(0, 9999):04d}"
    host_count = max(1, listings // 10)
    guest_count = max(1, bookings // 20)
    with acting_as(SYSTEM_ACTOR), transaction.atomic(), Loader() as loader:
        hosts_group = Group.objects.get(name=roles.HOSTS).pk
        for slug, name, icon in cat.AMENITIES:  # the catalogue's, as the demo creates them
            Amenity.objects.get_or_create(slug=slug, defaults={"name": name, "icon": icon})
        amenities = list(Amenity.objects.order_by("slug").values_list("pk", flat=True))
        photo = _bulk_photo_name()
        hosts = [
            loader.add(
                User,
                m2m={"groups": [hosts_group]},
                first_name="Bulk",
                password=password,
                email=f"bulk-host-{run}-{i}@example.org",
            )["id"]
            for i in range(host_count)
        ]
        guests = [
            loader.add(
                User,
                email=f"bulk-guest-{run}-{i}@example.org",
                first_name="Guest",
                password=password,
            )["id"]
            for i in range(guest_count)
        ]
        loader.flush()
        terms = []  # what the stays need of each listing, in creation order
        for i in range(listings):
            row = _bulk_listing(loader, rng, hosts[i % host_count], f"bulk-{run}-{i}", amenities)
            loader.add(ListingPhoto, listing_id=row["id"], image=photo, caption=row["title"])
            terms.append(_Terms.of(row))
            if loader.pending() >= batch_size:
                loader.flush()
        loader.flush()
        written = _bulk_stays(loader, rng, terms, guests, bookings, batch_size)
    return {"listings": listings, "bookings": written}


def _bulk_photo_name() -> str:
    """One placeholder image shared by every bulk listing's photo (written once)."""
    from django.core.files.storage import default_storage

    name = "listings/bulk/placeholder.jpg"
    if not default_storage.exists(name):
        name = default_storage.save(name, placeholder_photo("StayBook", 0))
    return name


def _bulk_listing(loader, rng, host_id, external_id, amenities) -> dict:
    city, country, tz, currency, lat, lng, price = rng.choice(cat.CITIES)
    return loader.add(
        Listing,
        m2m={"amenities": sorted(rng.sample(amenities, rng.randint(4, 9)))},
        host_id=host_id,
        external_id=external_id,
        title=f"{rng.choice(cat.ADJECTIVES)} stay in {city}",
        city=city,
        country=country,
        time_zone=tz,
        currency=currency,
        latitude=Decimal(lat) + Decimal(rng.randint(-900, 900)) / 100000,
        longitude=Decimal(lng) + Decimal(rng.randint(-900, 900)) / 100000,
        nightly_price=money(Decimal(price) * rng.choice(cat.PRICE_STEPS)),
        max_guests=rng.choice([2, 4, 6]),
        cancellation_policy=rng.choice(cat.POLICIES),
        instant_book=True,
        status=Listing.Status.PUBLISHED,
    )


@dataclass(frozen=True)
class _Terms:
    """What a stay needs of its listing."""

    id: object
    rules: PriceRules
    max_guests: int
    policy: str

    @classmethod
    def of(cls, row: dict) -> _Terms:
        from types import SimpleNamespace

        listing = SimpleNamespace(**row)
        return cls(row["id"], PriceRules.of(listing), row["max_guests"], row["cancellation_policy"])


class Pricer:
    """`quote()` for many stays: stays of the same terms, length and (when weekends cost more)
    check-in weekday cost the same night by night, so each such quote is computed once and its
    snapshot re-dated. No calendar overrides exist for bulk listings."""

    def __init__(self):
        self.quotes: dict = {}

    def __call__(self, rules: PriceRules, check_in: dt.date, check_out: dt.date):
        nights = (check_out - check_in).days
        key = (rules, nights, check_in.weekday() if rules.weekend_price is not None else None)
        cached = self.quotes.get(key)
        if cached is None:
            q = quote(
                rules,
                check_in,
                check_out,
                guest_fee_rate=settings.GUEST_SERVICE_FEE_RATE,
                host_fee_rate=settings.HOST_SERVICE_FEE_RATE,
            )
            cached = self.quotes[key] = (q, q.as_snapshot())
        q, snapshot = cached
        shift = check_in - q.check_in
        if shift:
            snapshot = {
                **snapshot,
                "check_in": check_in.isoformat(),
                "check_out": check_out.isoformat(),
                "nightly": [
                    {**n, "date": (dt.date.fromisoformat(n["date"]) + shift).isoformat()}
                    for n in snapshot["nightly"]
                ],
            }
        return q, snapshot


def _bulk_stays(loader, rng, terms, guests, count, batch_size) -> int:
    """Back-to-back stays per listing (never overlapping), from a year ago onwards: completed
    once checked out, confirmed and paid otherwise."""
    if not terms:
        return 0
    today = timezone.localdate()
    cursor = [today - dt.timedelta(days=365)] * len(terms)
    price = Pricer()
    policies = {}
    for i in range(count):
        k = i % len(terms)
        listing = terms[k]
        check_in = cursor[k] + dt.timedelta(days=rng.randint(0, 4))
        check_out = check_in + dt.timedelta(days=rng.randint(1, 6))
        cursor[k] = check_out
        status = BookingStatus.COMPLETED if check_out <= today else BookingStatus.CONFIRMED
        q, snapshot = price(listing.rules, check_in, check_out)
        if listing.policy not in policies:
            policies[listing.policy] = booking_services.policy_snapshot(listing.policy)
        occupancy = loader.add(
            Occupancy,
            listing_id=listing.id,
            start=check_in,
            end=check_out,
            kind=Occupancy.Kind.BOOKING,
        )
        loader.add(
            Booking,
            guest_id=guests[i % len(guests)],
            listing_id=listing.id,
            occupancy_id=occupancy["id"],
            check_in=check_in,
            check_out=check_out,
            guests=min(2, listing.max_guests),
            status=status,
            **q.booking_amounts(),
            price_snapshot=snapshot,
            cancellation_policy=listing.policy,
            policy_snapshot=policies[listing.policy],
            amount_paid=q.total,
        )
        if loader.pending() >= batch_size:
            loader.flush()
    return count
