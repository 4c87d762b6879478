"""Reads over the audit trail: every domain model's history, as one timeline."""

from django.apps import apps
from django.db.models import CharField, F, Value

DOMAIN_APPS = ("accounts", "listings", "calendars", "bookings", "reviews")


def audited_models():
    """The domain models that keep history, with their historical model."""
    for model in apps.get_models():
        if model._meta.app_label in DOMAIN_APPS and hasattr(model, "history"):
            manager = getattr(model, "history", None)
            if manager is not None and hasattr(manager, "model"):
                yield model, manager.model


def audit_timeline(*, actor=None, model_label=None, object_id=None, since=None, until=None):
    """History rows across models, newest first, as dicts. One UNION ALL query."""
    parts = []
    for model, historical in audited_models():
        label = model._meta.label_lower
        if model_label and model_label != label:
            continue
        # Historical models order by -history_date: compound statements forbid ORDER BY in
        # their parts, so each part is unordered and the union is ordered once.
        qs = historical.objects.order_by()
        if actor:
            qs = qs.filter(history_actor__icontains=actor)
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
                "model",
                "object_id",
            )  # fmt: skip
        )
    if not parts:
        return []
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date")
