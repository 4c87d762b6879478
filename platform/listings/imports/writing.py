"""Writing the evaluated rows of an import in bulk, in one transaction.

New listings, changed columns, amenity links and the history of each written listing (one row
per listing, its amenity set included, attributed to the importing user) go to the database
with PostgreSQL's COPY through the project's bulk helpers (common.history, common.bulk), so a
10,000-row file is a handful of statements. Bulk writes send no signals: whoever receives a
listing is made a host here, and the read cache is told here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts import roles
from common.actor import acting_as, current_actor
from common.bulk import allocate_ids, copy_insert_values, copy_supported
from common.history import AuditedRecords, bulk_create_audited, bulk_update_audited

from ..cache import listings_changed, search_changed
from ..models import Listing
from ..services import EDITABLE_FIELDS
from .rows import ListingRows

DELETE_BATCH_SIZE = 1000


def write_listings(rows: ListingRows, *, created: list[Listing], updated: list[Listing]) -> None:
    """Write `created` and `updated` (outcomes of `rows`) with their amenities and history."""
    if not (created or updated):
        return
    user = rows.user
    actor = current_actor()
    ip = actor.ip if actor is not None else None  # the request's address, whoever is on record
    with transaction.atomic(), acting_as(user, ip=ip):
        now = timezone.now()
        _make_hosts(user, {listing.host_id for listing in created})
        written: list = []

        def links() -> dict:
            """The amenity links, written once, after the listings they reference."""
            if not written:
                written.append(_write_amenities(rows, created + updated))
            return {"amenities": written[0]}

        if created:
            bulk_create_audited(created, Listing, copy=True, default_date=now, m2m=links)
        if updated:
            # Only the columns some row changes, and updated_at (stamped by the helper).
            changed = {name for obj in updated for name in rows.changed_fields.get(obj.pk, ())}
            fields = [name for name in EDITABLE_FIELDS if name in changed]
            bulk_update_audited(updated, Listing, fields, copy=True, default_date=now,
                                m2m=links)  # fmt: skip
        links()  # written even when history is switched off
        # The read cache: search results, and what was read of the updated listings (a new
        # listing's id was never read, so nothing cached depends on its token).
        listings_changed(listing.pk for listing in updated)
        if created and not updated:
            search_changed()


def _write_amenities(rows: ListingRows, written: Iterable[Listing]) -> dict:
    """Replace the amenity sets that changed; returns every written listing's links (through
    rows as {attname: value}, old and new), which its history row records."""
    through = Listing.amenities.through
    written_ids = [obj.pk for obj in written]
    changed = [pk for pk in written_ids if pk in rows.new_amenities]
    stale = [pk for pk in changed if rows.existing_amenities.get(pk)]
    for start in range(0, len(stale), DELETE_BATCH_SIZE):
        through.objects.filter(listing_id__in=stale[start : start + DELETE_BATCH_SIZE]).delete()
    pairs = [
        (pk, amenity_id) for pk in changed for amenity_id in sorted(rows.new_amenities[pk], key=str)
    ]
    for pk in changed:
        rows.existing_amenities[pk] = {}
    for link in _insert_links(through, pairs):
        rows.existing_amenities[link["listing_id"]][link["amenity_id"]] = link["id"]
    done = set(written_ids)
    rows.new_amenities = {pk: v for pk, v in rows.new_amenities.items() if pk not in done}
    return {
        pk: [
            {"id": row_id, "listing_id": pk, "amenity_id": amenity_id}
            for amenity_id, row_id in rows.existing_amenities.get(pk, {}).items()
        ]
        for pk in written_ids
    }


def _insert_links(through, pairs: list[tuple]) -> list[dict]:
    """Insert (listing id, amenity id) links; returns them with their ids."""
    if not pairs:
        return []
    if copy_supported(through):
        ids = allocate_ids(through, len(pairs))
        links = [
            {"id": link_id, "listing_id": listing_id, "amenity_id": amenity_id}
            for link_id, (listing_id, amenity_id) in zip(ids, pairs, strict=True)
        ]
        columns = ["id", "listing_id", "amenity_id"]
        copy_insert_values(through, columns, ([link[c] for c in columns] for link in links))
        return links
    made = through.objects.bulk_create(
        [through(listing_id=listing_id, amenity_id=amenity_id) for listing_id, amenity_id in pairs]
    )
    return [{"id": o.pk, "listing_id": o.listing_id, "amenity_id": o.amenity_id} for o in made]


def _make_hosts(user, host_ids: set) -> None:
    """Whoever gets a listing becomes a host, as listing_create does (one query each way); the
    role change is in each person's history, as a per-row save would record it."""
    if not host_ids:
        return
    group, _ = Group.objects.get_or_create(name=roles.HOSTS)
    membership = get_user_model().groups.through
    already = set(
        membership.objects.filter(group=group, user_id__in=host_ids).values_list(
            "user_id", flat=True
        )
    )
    made = host_ids - already
    if not made:
        return
    membership.objects.bulk_create([membership(user_id=uid, group=group) for uid in made])
    recorder = AuditedRecords.recorders[get_user_model()]
    for person in get_user_model().objects.filter(pk__in=made):
        recorder.create_historical_record(person, "~")
    user.__dict__.pop("_group_names", None)
