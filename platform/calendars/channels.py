"""Channel sync: another marketplace's iCal export of a listing becomes host blocks here.

Each event is one block keyed by its UID: a new event blocks its nights, an event that
disappears upstream unblocks them, a moved event moves its block. Nights already taken here (a
booking, the host's own block) are never touched: the event is reported as a conflict for the
host to sort out. A sync is one transaction: a feed that fails to fetch or parse changes
nothing and records why.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from icalendar import Calendar

from common.actor import attributed_to
from common.dates import MAX_RANGE_DAYS, today_in
from common.errors import DomainError, ValidationFailed
from listings.permissions import ensure_can_manage_listing

from .channel_fetch import FetchError, check_url, fetch_feed
from .models import ChannelBlock, ChannelFeed, Occupancy
from .services import occupancy_reserve

logger = logging.getLogger(__name__)

MAX_FEEDS_PER_LISTING = 10
MAX_EVENTS = 2000
NOTE_PREFIX = "Synced from"


@attributed_to("actor")
@transaction.atomic
def channel_feed_add(*, listing, actor, url: str, name: str = "") -> ChannelFeed:
    ensure_can_manage_listing(listing, actor)
    try:
        check_url(url)
    except FetchError as refusal:
        raise ValidationFailed("feed_url_invalid", str(refusal), field="url") from None
    name = (name or "").strip()
    if len(name) > 100 or "\x00" in name:
        raise ValidationFailed("invalid", "A name has at most 100 characters.", field="name")
    if ChannelFeed.objects.filter(listing=listing).count() >= MAX_FEEDS_PER_LISTING:
        raise DomainError("too_many_feeds", f"At most {MAX_FEEDS_PER_LISTING} feeds a listing.")
    try:
        with transaction.atomic():
            feed = ChannelFeed.objects.create(
                listing=listing, url=url.strip(), name=name, created_by=actor
            )
    except IntegrityError:
        raise DomainError("feed_exists", "This feed is already synced.", field="url") from None
    from common.background import enqueue_on_commit

    from .tasks import sync_channel_feed

    enqueue_on_commit(sync_channel_feed, str(feed.pk))
    return feed


@attributed_to("actor")
@transaction.atomic
def channel_feed_delete(*, feed: ChannelFeed, actor) -> None:
    """Stop syncing; the feed's blocks go with it (its nights open again)."""
    ensure_can_manage_listing(feed.listing, actor)
    Occupancy.objects.filter(channel_block__feed=feed).delete()
    feed.delete()


def parse_events(data: bytes, *, today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """{uid: (start, end)} of the feed's current and future events, nights [start, end)."""
    try:
        calendar = Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError...
        raise FetchError(
            f"The feed is not a valid iCalendar file ({type(exc).__name__})."
        ) from None
    events: dict[str, tuple[dt.date, dt.date]] = {}
    for component in calendar.walk("VEVENT"):
        if len(events) >= MAX_EVENTS:
            raise FetchError(f"The feed has more than {MAX_EVENTS} events.")
        if str(component.get("STATUS", "")).upper() == "CANCELLED":
            continue
        try:
            start = _as_date(component.decoded("DTSTART"))
            if component.get("DTEND") is not None:
                end = _as_date(component.decoded("DTEND"))
            elif component.get("DURATION") is not None:
                end = start + max(component.decoded("DURATION"), dt.timedelta(days=1))
            else:
                end = start + dt.timedelta(days=1)
        except (KeyError, ValueError, TypeError, AttributeError, OverflowError):
            continue  # an event without usable dates blocks nothing
        uid = str(component.get("UID") or f"{start.isoformat()}/{end.isoformat()}")[:255]
        if end <= start:
            end = start + dt.timedelta(days=1)
        start = max(start, today)
        end = min(end, today + dt.timedelta(days=MAX_RANGE_DAYS * 2))
        if end <= start or "\x00" in uid:
            continue  # entirely past (or beyond the calendar's horizon)
        events[uid] = (start, end)
    return events


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ValueError(value)


def channel_feed_sync(feed: ChannelFeed) -> ChannelFeed:
    """Fetch and apply one feed. Never raises for the feed's own faults: they are recorded."""
    now = timezone.now()
    try:
        data = fetch_feed(feed.url)  # outside any transaction: no lock held while waiting
        events = parse_events(data, today=today_in(feed.listing.time_zone))
    except FetchError as failure:
        ChannelFeed.objects.filter(pk=feed.pk).update(
            last_attempt_at=now, last_error=str(failure)[:2000]
        )
        feed.refresh_from_db()
        return feed
    with transaction.atomic():
        conflicts = _apply(feed, events)
        ChannelFeed.objects.filter(pk=feed.pk).update(
            last_attempt_at=now, last_synced_at=now, last_error="", conflicts=conflicts
        )
    feed.refresh_from_db()
    return feed


def _apply(feed: ChannelFeed, events: dict) -> list[dict]:
    listing = feed.listing
    current = {
        block.uid: block
        for block in ChannelBlock.objects.select_for_update()
        .filter(feed=feed)
        .select_related("occupancy")
    }
    for uid, block in current.items():
        occupancy = block.occupancy
        if events.get(uid) != (occupancy.start, occupancy.end):
            occupancy.delete()  # gone upstream, or moved: re-reserved below
    conflicts = []
    note = f"{NOTE_PREFIX} {feed.name or 'another channel'}"[:200]
    for uid, (start, end) in sorted(events.items(), key=lambda item: item[1]):
        block = current.get(uid)
        if block is not None and (block.occupancy.start, block.occupancy.end) == (start, end):
            continue
        try:
            with transaction.atomic():
                occupancy = occupancy_reserve(
                    listing=listing, start=start, end=end, kind=Occupancy.Kind.BLOCK, note=note
                )
                ChannelBlock.objects.create(feed=feed, uid=uid, occupancy=occupancy)
        except DomainError:
            conflicts.append({"uid": uid, "start": start.isoformat(), "end": end.isoformat()})
    return conflicts


def channel_feeds_sync_due(*, now=None, limit: int = 200) -> int:
    """Sync the feeds not synced for CHANNEL_SYNC_INTERVAL_MINUTES (beat runs this)."""
    now = now or timezone.now()
    due_before = now - dt.timedelta(minutes=settings.CHANNEL_SYNC_INTERVAL_MINUTES)
    feeds = ChannelFeed.objects.select_related("listing").filter(
        listing__status__in=("published", "draft")
    )
    feeds = feeds.exclude(last_attempt_at__gte=due_before).order_by("last_attempt_at")[:limit]
    count = 0
    for feed in feeds:
        try:
            channel_feed_sync(feed)
        except Exception:  # one broken feed must not stop the others
            logger.exception("Channel feed %s failed to sync", feed.pk)
        count += 1
    return count
