"""Reads over the audit trail: every domain model's history, as one timeline.

A person changes one thing and several history rows are written: accepting a booking writes the
booking and the nights it holds, closing five nights writes five calendar rows, a host block is
an occupancy row. `audit_changes` folds the rows of one such change into one entry and
`audit_subjects` names what they are about (a listing's title, a booking's listing and dates),
so the timeline reads as what people did rather than as table rows.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.db.models import CharField, F, Model, Q, Value
from django.utils.text import capfirst

DOMAIN_APPS = ("accounts", "listings", "calendars", "bookings", "reviews")
# Rows of one subject by one actor this close together are one change (a service writes all of
# its rows within one transaction, well under a second; a person never clicks twice that fast).
SAME_CHANGE_WITHIN = timedelta(seconds=2)


def audited_models() -> Iterator[tuple[type[Model], type[Model]]]:
    """The domain models that keep history, with their historical model, each historical table
    once: a proxy (HostBlock, a kind of Occupancy) shares its parent's table and would list
    every row twice."""
    seen = set()
    for model in apps.get_models():
        if model._meta.app_label not in DOMAIN_APPS or model._meta.proxy:
            continue
        manager = getattr(model, "history", None)
        historical = getattr(manager, "model", None)
        if historical is not None and historical not in seen:
            seen.add(historical)
            yield model, historical


def audited_model_choices() -> list[tuple[str, str]]:
    """(label, name in words) of every audited model, by name."""
    choices = [(model._meta.label_lower, _model_words(model)) for model, _h in audited_models()]
    return sorted(choices, key=lambda choice: choice[1])


def _model_words(model: type[Model]) -> str:
    if model._meta.label_lower == "calendars.occupancy":
        return "Booked or blocked nights"
    return str(capfirst(model._meta.verbose_name))


def audit_timeline(
    *,
    actor: str | None = None,
    actor_user: Any = None,
    model_label: str | None = None,
    object_id: Any = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Any:
    """History rows across models, newest first, as dicts. One UNION ALL query.

    `actor` matches the recorded actor label (it survives the deletion of a user, and names
    system actors: "system:seed_demo"); `actor_user` is a person, by account."""
    parts = []
    for model, historical in audited_models():
        label = model._meta.label_lower
        if model_label and model_label != label:
            continue
        # Historical models order by -history_date: compound statements forbid ORDER BY in
        # their parts, so each part is unordered and the union is ordered once.
        qs = historical._default_manager.order_by()
        if actor:
            qs = qs.filter(history_actor__icontains=actor)
        if actor_user is not None:
            qs = qs.filter(
                Q(history_user_id=actor_user.pk) | Q(history_actor=f"user:{actor_user.email}")
            )
        if object_id:
            qs = qs.filter(id=object_id)
        if since:
            qs = qs.filter(history_date__gte=since)
        if until:
            qs = qs.filter(history_date__lt=until)
        parts.append(
            qs.annotate(
                model=Value(label, output_field=CharField()),
                object_id=F("id"),
            ).values(
                "history_id",
                "history_date",
                "history_type",
                "history_actor",
                "history_ip",
                "history_user_id",
                "model",
                "object_id",
            )
        )
    if not parts:
        return []
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date")


# --- naming what a row is about --------------------------------------------------------------


def _booking_words(booking: Any) -> str:
    return f"{booking.listing.title} · {_dates(booking.check_in, booking.check_out)}"


def _dates(start: date, end: date) -> str:
    if start.year == end.year:
        return f"{start:%d %b} → {end:%d %b %Y}"
    return f"{start:%d %b %Y} → {end:%d %b %Y}"


def _person_words(user: Any) -> str:
    name = user.get_full_name()  # the core's one wording of a person (the email without a name)
    return name if name == user.email else f"{name} <{user.email}>"


def _night_words(day: Any) -> str:
    return f"{day.listing.title} · {day.date:%d %b %Y}"


def _occupancy_words(occupancy: Any) -> str:
    note = f" · {occupancy.note}" if occupancy.kind == "block" and occupancy.note else ""
    return f"{occupancy.listing.title} · {_dates(occupancy.start, occupancy.end)}{note}"


def _review_words(review: Any) -> str:
    return f"{review.rating}★ · {review.listing.title}"


# How each model's rows are named: (related rows to load with it, words). Anything else is
# named by its own __str__.
_NAMERS = {
    "listings.listing": ((), lambda listing: listing.title),
    "bookings.booking": (("listing",), _booking_words),
    "calendars.calendarday": (("listing",), _night_words),
    "calendars.occupancy": (("listing",), _occupancy_words),
    "accounts.user": ((), _person_words),
    "reviews.review": (("listing",), _review_words),
}


def _name(label: str, obj: Any) -> str:
    related, words = _NAMERS.get(label, ((), str))
    try:
        return words(obj)
    except Exception:  # noqa: BLE001  a related row deleted since: the object's own words
        return str(obj.pk)


def audit_subjects(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, Any], dict[str, Any]]:
    """{(model label, object id): {"name", "kind", "subject"}} for these timeline rows: what
    each object is called today (or, deleted since, in its last history row), one query per
    model on the page. `subject` is the (label, id) a change of this object belongs to: a
    booking's nights belong to the booking, a calendar night to its listing."""
    ids = defaultdict(set)
    for row in rows:
        ids[row["model"]].add(row["object_id"])
    subjects = {}
    for label, object_ids in ids.items():
        model = apps.get_model(label)
        related, _words = _NAMERS.get(label, ((), str))
        found = model._base_manager.filter(pk__in=object_ids).select_related(*related)
        objects = {obj.pk: obj for obj in found}
        deleted = object_ids - objects.keys()
        if deleted:
            for record in model.history.filter(id__in=deleted).order_by("-history_date"):
                objects.setdefault(record.id, record.instance)
        for pk, obj in objects.items():
            subjects[(label, pk)] = {
                "name": _name(label, obj) + (" (deleted)" if pk in deleted else ""),
                "kind": _kind_words(label, obj, model),
                "subject": _subject_of(label, obj),
            }
    _attach_bookings_to_their_nights(subjects)
    return subjects


def _kind_words(label: str, obj: Any, model: type[Model]) -> str:
    if label == "calendars.occupancy":
        return "Host block" if obj.kind == "block" else "Booked nights"
    if label == "calendars.calendarday":
        return "Calendar price or closed night"
    return _model_words(model)


def _subject_of(label: str, obj: Any) -> tuple[str, Any]:
    if label == "calendars.calendarday":
        return ("listings.listing", obj.listing_id)
    return (label, obj.pk)


def _attach_bookings_to_their_nights(subjects: dict) -> None:
    """A booking's occupancy row is part of the booking's change: one query for the page."""
    booked = [pk for (label, pk), s in subjects.items() if label == "calendars.occupancy"]
    if not booked:
        return
    booking_model = apps.get_model("bookings.booking")
    pairs = booking_model._base_manager.filter(occupancy_id__in=booked).values_list(
        "occupancy_id", "pk"
    )
    for occupancy_id, booking_id in pairs:
        subjects[("calendars.occupancy", occupancy_id)]["subject"] = (
            "bookings.booking",
            booking_id,
        )


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def audit_changes(rows: Iterable[dict[str, Any]], subjects: dict) -> list[dict]:
    """Fold the timeline rows (newest first) into one entry per logical change: rows by the
    same actor from the same address about the same subject, each within SAME_CHANGE_WITHIN
    of the next. The entry keeps its newest row's fields, the subject's name, and `records`
    (every row, for the details)."""
    changes: list = []
    open_changes: dict = {}
    for row in rows:
        info = subjects.get((row["model"], row["object_id"])) or {
            "name": str(row["object_id"]),
            "kind": row["model"],
            "subject": (row["model"], row["object_id"]),
        }
        row = {**row, **info, "action": HISTORY_TYPES.get(row["history_type"], "?")}
        key = (row["history_actor"], row["history_ip"], info["subject"])
        change = open_changes.get(key)
        if change is not None and change["oldest"] - row["history_date"] <= SAME_CHANGE_WITHIN:
            change["records"].append(row)
            change["oldest"] = row["history_date"]
            continue
        change = {**row, "records": [row], "oldest": row["history_date"]}
        open_changes[key] = change
        changes.append(change)
    for change in changes:
        _summarise(change, subjects)
    return changes


def _summarise(change: dict, subjects: dict) -> None:
    """Name the change after its subject (the booking, not its nights) and say what happened
    in the order it happened."""
    records = change["records"]
    subject = change["subject"]
    primary = (
        next((r for r in records if (r["model"], r["object_id"]) == subject), None) or records[-1]
    )
    if primary is not records[0]:
        change.update({k: primary[k] for k in ("model", "object_id", "name", "kind")})
    actions = []
    for record in reversed(records):  # oldest first
        if record["action"] not in actions:
            actions.append(record["action"])
    change["action"] = ", then ".join(actions)
    if subject[0] == "listings.listing" and primary["model"] != "listings.listing":
        nights = sum(1 for r in records if r["model"] == "calendars.calendarday")
        listing = subjects.get(subject, {}).get("name") or primary["name"].split(" · ")[0]
        change["name"] = f"{listing} · {nights} night{'s' if nights != 1 else ''}"
