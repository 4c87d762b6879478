"""Listing writes: create, update, publish/unpublish/suspend, delete (or unpublish)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.services import user_make_host
from common.actor import attributed_to
from common.dates import is_time_zone
from common.errors import NotPermitted, ValidationFailed
from common.history import save_as_one_change
from common.money import SUPPORTED_CURRENCIES

from .models import Amenity, Listing
from .permissions import ensure_can_manage_listing

EDITABLE_FIELDS = (
    "title", "description", "property_type", "address", "city", "country", "latitude",
    "longitude", "time_zone", "max_guests", "bedrooms", "beds", "bathrooms", "nightly_price",
    "weekend_price", "cleaning_fee", "currency", "min_nights", "max_nights", "weekly_discount",
    "monthly_discount", "tax_rate", "cancellation_policy", "instant_book", "external_id",
)  # fmt: skip


def amenities_from_slugs(slugs) -> list[Amenity]:
    slugs = [s.strip() for s in slugs if s and s.strip()]
    found = list(Amenity.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {a.slug for a in found})
    if missing:
        raise ValidationFailed(
            "unknown_amenity", f"Unknown amenity: {', '.join(missing)}.", field="amenities"
        )
    return found


def _apply(listing: Listing, fields: dict, *, check_external_id: bool = True) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed("unknown_field", f"Cannot set: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(listing, name, value)
    listing.country = (listing.country or "").upper()
    listing.currency = (listing.currency or "").upper()
    listing.external_id = (listing.external_id or "").strip()
    validate_listing(listing, check_external_id=check_external_id)


def validate_listing(listing: Listing, *, check_external_id: bool = True) -> None:
    """Model validation plus the rules that span fields, as one domain error per problem.

    `check_external_id=False` skips the one-query uniqueness check of the host's reference, for
    callers that already checked it for many rows at once (listings.imports)."""
    if listing.currency not in SUPPORTED_CURRENCIES:
        raise ValidationFailed(
            "invalid_currency", f"Unsupported currency: {listing.currency}.", "currency"
        )
    if not is_time_zone(listing.time_zone):
        raise ValidationFailed("invalid_time_zone", "Unknown time zone.", "time_zone")
    try:
        listing.full_clean(exclude=["host", "amenities", "rating_average", "review_count"],
                           validate_unique=False, validate_constraints=False)  # fmt: skip
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed("invalid", f"{field}: {' '.join(messages)}", field=field) from exc
    except (InvalidOperation, TypeError) as exc:
        raise ValidationFailed("invalid", "A number is malformed.") from exc
    if listing.min_nights > listing.max_nights:
        raise ValidationFailed(
            "invalid_nights", "Minimum nights cannot exceed maximum nights.", "min_nights"
        )
    if (
        check_external_id
        and listing.external_id
        and (
            Listing.objects.filter(host_id=listing.host_id, external_id=listing.external_id)
            .exclude(pk=listing.pk)
            .exists()
        )
    ):
        raise ValidationFailed(
            "duplicate_external_id",
            "You already have a listing with this reference.",
            "external_id",
        )


@attributed_to("host")
@transaction.atomic
def listing_create(*, host, amenities=(), status: str = Listing.Status.DRAFT, **fields) -> Listing:
    listing = Listing(host=host, status=status)
    _apply(listing, fields)
    if status not in Listing.Status.values:
        raise ValidationFailed("invalid_status", "Unknown status.", "status")
    amenity_objs = amenities_from_slugs(amenities)
    user_make_host(user=host)
    save_as_one_change(listing, created=True, then=lambda: listing.amenities.set(amenity_objs))
    return listing


@attributed_to("actor")
@transaction.atomic
def listing_update(
    *, listing: Listing, actor, amenities=None, status: str | None = None, **fields
) -> Listing:
    """Change a listing's fields (and optionally publish/unpublish it) in one transaction."""
    ensure_can_manage_listing(listing, actor)
    if status not in (None, Listing.Status.PUBLISHED, Listing.Status.DRAFT):
        raise ValidationFailed(  # suspension is staff-only and has its own service
            "invalid_status", "A listing can be set to published or draft here.", "status"
        )
    _apply(listing, fields)
    if amenities is None:
        listing.save()
    else:
        amenity_objs = amenities_from_slugs(amenities)
        save_as_one_change(listing, created=False, then=lambda: listing.amenities.set(amenity_objs))
    if status == Listing.Status.PUBLISHED:
        listing = listing_publish(listing=listing, actor=actor)
    elif status == Listing.Status.DRAFT:
        listing = listing_unpublish(listing=listing, actor=actor)
    return listing


def _set_status(listing: Listing, status: str) -> Listing:
    if listing.status != status:
        listing.status = status
        listing.save(update_fields=["status", "updated_at"])
    return listing


@attributed_to("actor")
@transaction.atomic
def listing_publish(*, listing: Listing, actor) -> Listing:
    ensure_can_manage_listing(listing, actor)
    if listing.status == Listing.Status.SUSPENDED and not actor.is_staff:
        raise NotPermitted(
            "A suspended listing can only be reinstated by staff.", "listing_suspended"
        )
    return _set_status(listing, Listing.Status.PUBLISHED)


@attributed_to("actor")
@transaction.atomic
def listing_unpublish(*, listing: Listing, actor) -> Listing:
    ensure_can_manage_listing(listing, actor)
    if listing.status == Listing.Status.SUSPENDED:
        return listing
    return _set_status(listing, Listing.Status.DRAFT)


@attributed_to("actor")
@transaction.atomic
def listing_suspend(*, listing: Listing, actor) -> Listing:
    if not (actor and actor.is_staff and actor.has_perm("listings.change_listing")):
        raise NotPermitted("Only staff can suspend a listing.")
    return _set_status(listing, Listing.Status.SUSPENDED)


@attributed_to("actor")
@transaction.atomic
def listing_transfer(*, listing: Listing, new_host, actor) -> Listing:
    """Staff hand a listing (with its calendar and future stays) to another account, which
    becomes a host. External ids stay unique per host."""
    if not (actor and actor.is_staff and actor.has_perm("listings.change_listing")):
        raise NotPermitted("Only staff can transfer a listing to another host.")
    if new_host is None or not new_host.is_active:
        raise ValidationFailed("invalid_host", "Choose an active account.", "host")
    if new_host.pk == listing.host_id:
        return listing
    listing.host = new_host
    validate_listing(listing)  # the reference must not clash with the new host's listings
    user_make_host(user=new_host)
    listing.save(update_fields=["host", "updated_at"])
    return listing


@attributed_to("actor")
@transaction.atomic
def listing_delete(*, listing: Listing, actor) -> bool:
    """Delete a listing; one with bookings is unpublished instead (its history must stay).
    Returns True when the row was deleted."""
    ensure_can_manage_listing(listing, actor)
    if listing.bookings.exists():
        listing_unpublish(listing=listing, actor=actor)
        return False
    listing.delete()
    return True


def parse_decimal(value, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationFailed("invalid_number", "Not a number.", field) from exc
