import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from accounts import roles
from accounts.models import User
from bookings.models import Booking, BookingStatus
from demo.seed import seed_bulk, seed_demo
from listings.models import Listing
from messaging.models import Conversation
from reviews.models import Review

pytestmark = pytest.mark.django_db


def test_demo_accounts_and_their_stories():
    assert seed_demo().created
    users = {u.email: u for u in User.objects.filter(email__endswith="@example.com")}
    assert set(users) == {f"{r}@example.com" for r in
                          ("admin", "host", "guest", "moderator", "auditor")}  # fmt: skip
    assert all(u.check_password("demo-password") for u in users.values())
    assert users["admin@example.com"].is_superuser
    assert roles.is_moderator(users["moderator@example.com"])
    assert roles.is_auditor(users["auditor@example.com"])

    host = users["host@example.com"]
    published = Listing.objects.filter(host=host, status=Listing.Status.PUBLISHED)
    assert published.count() >= 3
    assert published.filter(instant_book=False, bookings__status=BookingStatus.REQUESTED).exists()
    assert Booking.objects.filter(listing__host=host, status=BookingStatus.COMPLETED).exists()

    guest_stays = Booking.objects.filter(guest=users["guest@example.com"])
    recent = guest_stays.get(status=BookingStatus.COMPLETED)
    assert timezone.localdate() - recent.check_out <= dt.timedelta(days=7)
    assert not Review.objects.filter(booking=recent).exists()
    assert guest_stays.filter(status=BookingStatus.CONFIRMED, check_in__gt=timezone.localdate())

    statuses = set(Booking.objects.values_list("status", flat=True))
    assert statuses == set(BookingStatus.values)
    assert {"pending", "published"} <= set(Review.objects.values_list("status", flat=True))
    assert Listing.objects.values("country").distinct().count() >= 5
    assert Listing.objects.filter(review_count__gt=0, rating_average__isnull=False).exists()
    assert not Listing.objects.filter(photos__isnull=True).exists()  # every listing has a photo
    # Past stays were booked before they began, and reviews written after check-out.
    completed = Booking.objects.filter(status=BookingStatus.COMPLETED)
    assert all(b.created_at.date() < b.check_in for b in completed)
    assert all(r.created_at.date() >= r.booking.check_out for r in Review.objects.all())
    assert len({b.created_at.date() for b in completed}) > 20


def test_the_demo_host_has_guests_to_answer():
    seed_demo(with_money=False)
    host = User.objects.get(email="host@example.com")
    threads = Conversation.objects.filter(listing__host=host)
    assert threads.count() == 2
    unanswered = threads.exclude(messages__sender=host).get()
    assert unanswered.listing.bookings.filter(status=BookingStatus.REQUESTED).exists()
    assert not unanswered.messages.filter(notified_at__isnull=True).exists()  # no demo emails


def test_seeding_twice_changes_nothing():
    seed_demo()
    before = (User.objects.count(), Listing.objects.count(), Booking.objects.count(),
              Listing.history.count())  # fmt: skip
    assert not seed_demo().created
    after = (User.objects.count(), Listing.objects.count(), Booking.objects.count(),
             Listing.history.count())  # fmt: skip
    assert before == after


def test_seed_is_deterministic():
    # Without its money: payments and ledger entries cannot be deleted (by design) to seed again.
    seed_demo(with_money=False)
    titles = sorted(Listing.objects.values_list("title", "nightly_price"))
    Review.objects.all().delete()
    Conversation.objects.all().delete()
    Booking.objects.all().delete()
    Listing.objects.all().delete()
    assert seed_demo(with_money=False).created
    assert sorted(Listing.objects.values_list("title", "nightly_price")) == titles


def test_bulk_seed_adds_non_overlapping_stays_with_history():
    added = seed_bulk(listings=20, bookings=300)
    assert added == {"listings": 20, "bookings": 300}
    bulk = Booking.objects.filter(listing__external_id__startswith="bulk-")
    assert bulk.count() == 300
    for listing_id in bulk.values_list("listing_id", flat=True).distinct()[:5]:
        stays = list(bulk.filter(listing_id=listing_id).order_by("check_in"))
        assert all(a.check_out <= b.check_in for a, b in zip(stays, stays[1:], strict=False))
    assert Booking.history.filter(history_actor="system:seed_demo").count() >= 300


def test_never_under_production_settings(settings):
    settings.SETTINGS_MODULE = "config.settings.production"
    with pytest.raises(Exception, match="never runs under production"):
        call_command("seed_demo")


def test_demo_money_is_real_and_the_ledger_agrees():
    from django.core.management import call_command as run

    from ledger.models import JournalEntry
    from payments.models import Payment, Payout, Refund

    seed_demo()
    guest = User.objects.get(email="guest@example.com")
    upcoming = Booking.objects.get(
        guest=guest, status=BookingStatus.CONFIRMED, check_in__gt=timezone.localdate()
    )
    payment = upcoming.payments.get()
    assert payment.status == Payment.Status.SUCCEEDED and payment.provider == "simulated"
    assert JournalEntry.objects.filter(payment=payment).exists()
    # Every confirmed or completed stay is paid exactly once.
    sold = Booking.objects.filter(status__in=[BookingStatus.CONFIRMED, BookingStatus.COMPLETED])
    assert not sold.exclude(payments__status=Payment.Status.SUCCEEDED).exists()
    assert Payment.objects.filter(status="succeeded").count() == sold.count() + 1  # + cancelled
    # Past stays' payments are backdated whole: none succeeds before it was created.
    assert not Payment.objects.filter(succeeded_at__lt=models.F("created_at")).exists()
    assert Payment.objects.filter(created_at__lt=timezone.now() - dt.timedelta(days=1)).exists()
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.payment.booking.status == BookingStatus.CANCELLED
    host_payouts = Payout.objects.filter(host__email="host@example.com")
    assert set(host_payouts.values_list("status", flat=True)) == set(Payout.Status.values)
    assert host_payouts.get(status="failed").failure_reason
    run("ledger_check")  # raises CommandError on any disagreement


def test_scale_seeding_at_small_scale_is_consistent_and_audited():
    """The benchmark path (`seed_demo --listings N --bookings M`), small: every stay has its
    own occupancy on the same nights, no two overlap on a listing, each is priced exactly as
    quote() prices it, and every row has its creation in the history, amenities included."""
    from django.conf import settings
    from django.contrib.auth.models import Group

    from bookings.pricing import PriceRules, quote
    from calendars.models import Occupancy
    from listings.models import ListingPhoto

    call_command("seed_demo", listings=200, bookings=2000, stdout=io.StringIO())
    listings = Listing.objects.filter(external_id__startswith="bulk-")
    stays = Booking.objects.filter(listing__in=listings).select_related("occupancy", "listing")
    assert listings.count() == 200 and stays.count() == 2000
    assert not listings.filter(photos__isnull=True).exists()
    assert not listings.filter(amenities__isnull=True).exists()

    by_listing = {}
    for stay in stays:
        occupancy = stay.occupancy
        assert (occupancy.listing_id, occupancy.start, occupancy.end, occupancy.kind,
                occupancy.is_active) == (stay.listing_id, stay.check_in, stay.check_out,
                                         "booking", True)  # fmt: skip
        assert stay.status == (BookingStatus.COMPLETED if stay.check_out <= timezone.localdate()
                               else BookingStatus.CONFIRMED)  # fmt: skip
        by_listing.setdefault(stay.listing_id, []).append((stay.check_in, stay.check_out))
    for nights in by_listing.values():
        nights.sort()
        assert all(a[1] <= b[0] for a, b in zip(nights, nights[1:], strict=False))
    # The database agrees: no two active occupancies of a listing share a night.
    overlapping = Occupancy.objects.filter(
        listing__in=listings, is_active=True,
        listing__occupancies__is_active=True,
        listing__occupancies__start__lt=models.F("end"),
        listing__occupancies__end__gt=models.F("start"),
    ).exclude(listing__occupancies__id=models.F("id"))  # fmt: skip
    assert not overlapping.exists()

    # Priced by the same code as a live booking, snapshot included.
    for stay in stays[:300]:
        q = quote(PriceRules.of(stay.listing), stay.check_in, stay.check_out,
                  guest_fee_rate=settings.GUEST_SERVICE_FEE_RATE,
                  host_fee_rate=settings.HOST_SERVICE_FEE_RATE)  # fmt: skip
        assert stay.total == q.total and stay.amount_paid == q.total
        assert stay.price_snapshot == q.as_snapshot()

    # History: one creation row per object, by the seeding's actor, amenities in the snapshot.
    actor = "system:seed_demo"
    assert Booking.history.filter(history_actor=actor, history_type="+",
                                  listing_id__in=listings.values("id")).count() == 2000  # fmt: skip
    assert Occupancy.history.filter(history_actor=actor, listing_id__in=listings.values("id"),
                                    history_type="+").count() == 2000  # fmt: skip
    assert ListingPhoto.history.filter(history_actor=actor).count() >= 200
    listing = listings.order_by("external_id").first()
    record = listing.history.get()
    assert record.history_actor == actor and record.history_type == "+"
    assert {a.amenity_id for a in record.amenities.all()} == set(
        listing.amenities.values_list("id", flat=True)
    )
    hosts = User.objects.filter(email__startswith="bulk-host-")
    assert hosts.count() == 20
    assert set(Group.objects.get(name=roles.HOSTS).user_set.filter(
        email__startswith="bulk-host-").values_list("id", flat=True)) == set(
        hosts.values_list("id", flat=True))  # fmt: skip
    host_record = hosts.first().history.get()
    assert [g.group.name for g in host_record.groups.all()] == [roles.HOSTS]
    # Nobody can log in as a bulk account.
    assert not any(u.has_usable_password() for u in hosts)


def test_bulk_loader_writes_any_text_exactly_with_its_history():
    from django.db import transaction

    from demo.bulk import Loader
    from listings.models import Amenity

    name = 'Tab\there, new\nline, \\N, back\\slash, "quotes", café'
    with transaction.atomic(), Loader() as loader:
        loader.add(Amenity, slug="odd", name=name, icon="")
    amenity = Amenity.objects.get(slug="odd")
    assert amenity.name == name
    assert amenity.history.get().name == name


def test_a_failed_scale_seed_leaves_nothing_and_no_thread(monkeypatch):
    import threading

    from demo import seed

    def broken(loader, *args):
        loader.flush()  # some rows already sent to the database
        raise RuntimeError("disk full")

    monkeypatch.setattr(seed, "_bulk_stays", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        seed_bulk(listings=30, bookings=100)
    assert not Listing.objects.filter(external_id__startswith="bulk-").exists()
    assert not User.objects.filter(email__startswith="bulk-").exists()
    assert not [t for t in threading.enumerate() if t.name == "bulk-copy"]
