"""Listing writes: create, update, publish/unpublish/suspend, delete (or unpublish)."""

import functools
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction

from accounts.models import User
from accounts.services import user_make_host
from common.actor import attributed_to
from common.dates import is_time_zone
from common.errors import DomainError, FieldErrors, NotPermitted, ValidationFailed
from common.history import save_as_one_change
from common.money import SUPPORTED_CURRENCIES

from .models import Amenity, Listing
from .permissions import ensure_can_create_listing, ensure_can_manage_listing

EDITABLE_FIELDS = (
    "title",
    "description",
    "property_type",
    "address",
    "city",
    "country",
    "latitude",
    "longitude",
    "time_zone",
    "max_guests",
    "bedrooms",
    "beds",
    "bathrooms",
    "nightly_price",
    "weekend_price",
    "cleaning_fee",
    "currency",
    "min_nights",
    "max_nights",
    "weekly_discount",
    "monthly_discount",
    "tax_rate",
    "cancellation_policy",
    "instant_book",
    "external_id",
)


def amenities_from_slugs(slugs: Iterable[str]) -> list[Amenity]:
    slugs = {s.strip() for s in slugs if s and s.strip()}
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
    """Model validation plus the rules that span fields. Every problem of the listing is
    found, not just the first: one problem raises it as it is (its own code), several raise
    FieldErrors carrying them all.

    `check_external_id=False` skips the one-query uniqueness check of the host's reference, for
    callers that already checked it for many rows at once (listings.imports)."""
    problems = listing_problems(listing, check_external_id=check_external_id)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise FieldErrors(problems)


def listing_problems(listing: Listing, *, check_external_id: bool = True) -> list[DomainError]:
    """Every reason `listing` cannot be saved as it is (empty: it can). Cleaned values are set
    on the listing, as Model.full_clean does."""
    problems: list[DomainError] = []
    if listing.currency not in SUPPORTED_CURRENCIES:
        problems.append(
            ValidationFailed(
                "invalid_currency", f"Unsupported currency: {listing.currency}.", "currency"
            )
        )
    if not is_time_zone(listing.time_zone):
        problems.append(ValidationFailed("invalid_time_zone", "Unknown time zone.", "time_zone"))
    at_fault = {p.field for p in problems}
    for name, messages in _field_errors(listing).items():
        if name not in at_fault:
            problems.append(ValidationFailed("invalid", f"{name}: {' '.join(messages)}", name))
            at_fault.add(name)
    nights = (listing.min_nights, listing.max_nights)
    if not at_fault & {"min_nights", "max_nights"} and None not in nights and nights[0] > nights[1]:
        problems.append(
            ValidationFailed(
                "invalid_nights", "Minimum nights cannot exceed maximum nights.", "min_nights"
            )
        )
    if (
        check_external_id
        and listing.external_id
        and "external_id" not in at_fault
        and (
            Listing.objects.filter(host_id=listing.host_id, external_id=listing.external_id)
            .exclude(pk=listing.pk)
            .exists()
        )
    ):
        problems.append(
            ValidationFailed(
                "duplicate_external_id",
                "You already have a listing with this reference.",
                "external_id",
            )
        )
    return problems


# What Model.full_clean(exclude=...) checks, field by field: the host is checked by the
# services that set it, amenities are not a column, ratings are denormalised by reviews.
_NOT_CLEANED = frozenset(("host", "amenities", "rating_average", "review_count"))


@functools.cache
def _cleaned_fields() -> tuple:
    """(field, attname, blank, plain-text limit) of each column Model.full_clean(exclude=...)
    would check. Not editable ones (id, created_at, updated_at) are the system's."""
    return tuple(
        (f, f.attname, f.blank, _plain_text_limit(f))
        for f in Listing._meta.concrete_fields
        if f.editable and f.name not in _NOT_CLEANED
    )


def _field_errors(listing: Listing) -> dict[str, list[str]]:
    """Model.clean_fields over the listing's columns, every field's errors at once. A field's
    verdict depends on its value only, so it is remembered for short values (an import of
    10,000 rows repeats the same cities, prices and flags)."""
    errors: dict = {}
    values = listing.__dict__
    for field, attname, blank, limit in _cleaned_fields():
        raw = values[attname] if attname in values else getattr(listing, attname)  # deferred
        if raw is None or raw == "":
            if blank:
                continue
        elif limit is not None and type(raw) is str and len(raw) <= limit:
            continue  # all Model.clean_fields would check of plain text, checked
        if isinstance(raw, str) and len(raw) > 64:
            ok, value = _clean(field, raw)
        else:
            # Decimal("1.0") == Decimal("1.00"), but only one has two decimal places.
            key = (attname, type(raw), str(raw) if type(raw) is Decimal else raw)
            try:
                ok, value = _VERDICTS[key]
            except KeyError:
                ok, value = _VERDICTS[key] = _clean(field, raw)
                if len(_VERDICTS) > 50_000:  # bounded: a long run starts afresh
                    _VERDICTS.clear()
            except TypeError:  # not hashable
                ok, value = _clean(field, raw)
        if ok:
            values[attname] = value
        else:
            errors[field.name] = value
    return errors


_VERDICTS: dict = {}


@functools.cache
def _plain_text_limit(field: models.Field) -> float | None:
    """For a text field without choices whose only validator is its maximum length: that
    length (infinite for a TextField, whose max_length Django does not validate); else None.
    Such a field's check is one comparison, not Django's to_python/validate/run_validators."""
    if not isinstance(field, models.CharField | models.TextField) or field.choices:
        return None
    limits = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
    if len(limits) != len(field.validators):
        return None
    return min(limits, default=float("inf"))


def _clean(field: models.Field, raw: object) -> tuple[bool, object]:
    try:
        return True, field.clean(raw, None)
    except ValidationError as exc:
        return False, exc.messages
    except (InvalidOperation, TypeError, ValueError):
        return False, ["A number is malformed."]


@attributed_to("actor")
@transaction.atomic
def listing_create(
    *,
    actor: User,
    host: User | None = None,
    amenities: Iterable[str] = (),
    status: str = Listing.Status.DRAFT,
    **fields: Any,
) -> Listing:
    """List a home for `host` (the actor by default), who becomes a host. Creating one for
    someone else is staff's (listings.permissions.ensure_can_create_listing)."""
    host = host if host is not None else actor
    ensure_can_create_listing(actor, host)
    if not host.is_active:
        raise ValidationFailed("invalid_host", "Choose an active account.", "host")
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
    *,
    listing: Listing,
    actor: User,
    amenities: Iterable[str] | None = None,
    status: str | None = None,
    **fields: Any,
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
def listing_publish(*, listing: Listing, actor: User) -> Listing:
    ensure_can_manage_listing(listing, actor)
    if listing.status == Listing.Status.SUSPENDED and not actor.is_staff:
        raise NotPermitted(
            "A suspended listing can only be reinstated by staff.", "listing_suspended"
        )
    return _set_status(listing, Listing.Status.PUBLISHED)


@attributed_to("actor")
@transaction.atomic
def listing_unpublish(*, listing: Listing, actor: User) -> Listing:
    ensure_can_manage_listing(listing, actor)
    if listing.status == Listing.Status.SUSPENDED:
        return listing
    return _set_status(listing, Listing.Status.DRAFT)


@attributed_to("actor")
@transaction.atomic
def listing_suspend(*, listing: Listing, actor: User) -> Listing:
    if not (actor and actor.is_staff and actor.has_perm("listings.change_listing")):
        raise NotPermitted("Only staff can suspend a listing.")
    return _set_status(listing, Listing.Status.SUSPENDED)


@attributed_to("actor")
@transaction.atomic
def listing_transfer(*, listing: Listing, new_host: User, actor: User) -> Listing:
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
def listing_delete(*, listing: Listing, actor: User) -> bool:
    """Delete a listing; one with bookings is unpublished instead (its history must stay).
    Returns True when the row was deleted."""
    ensure_can_manage_listing(listing, actor)
    if listing.bookings.exists():
        listing_unpublish(listing=listing, actor=actor)
        return False
    listing.delete()
    return True


def parse_decimal(value: object, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationFailed("invalid_number", "Not a number.", field) from exc
