"""Bookings: read-only records (the price snapshot never changes); answered through actions."""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export import fields as ie_fields
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from bookings import services
from bookings.models import Booking
from common.errors import DomainError

from ..confirm import confirmation_page, confirmed
from ..errors import apply_to_each, domain_error_text
from ..forms import ReasonForm
from ..resources.export import SafeExportResource
from ..roles import Role, request_role
from ..sites import site
from .base import BackofficeAdmin, ScopedRelatedFilter, values_filter


def guest_name(user) -> str:
    """A guest as hosts see them: the name, never the email (User.get_full_name falls back to
    the email address)."""
    return f"{user.first_name} {user.last_name}".strip() or "(no name)"


class BookingExportResource(SafeExportResource):
    """What leaves the back-office about a booking: the guest's name, never their contacts."""

    listing = ie_fields.Field(attribute="listing__title", column_name="listing")
    guest = ie_fields.Field(column_name="guest")

    class Meta:
        model = Booking
        fields = (
            "id", "listing", "guest", "check_in", "check_out", "guests", "status",
            "currency", "total", "service_fee", "host_fee", "amount_paid", "refund_amount",
            "created_at",
        )  # fmt: skip

    def dehydrate_guest(self, booking):
        return guest_name(booking.guest)


@admin.register(Booking, site=site)
class BookingAdmin(BackofficeAdmin):
    host_lookup = "listing__host"
    moderator_can_view = True  # only the reviewed stays: see moderator_queryset
    staff_only_list_filters = ("listing",)
    resource_classes = [BookingExportResource]
    list_display = (
        "short_id", "listing", "guest_name", "check_in", "check_out", "nights",
        "status_badge", "total_display", "created_at",
    )  # fmt: skip
    list_select_related = ("listing", "guest")
    list_filter = (
        "status",
        ("check_in", RangeDateFilter),
        ("listing", ScopedRelatedFilter),
        values_filter("listing__city", _("city")),
    )
    list_filter_submit = True
    search_fields = ("listing__title", "guest__first_name", "guest__last_name")
    date_hierarchy = None
    actions = ("accept", "decline", "cancel")
    fieldsets = (
        (_("Stay"), {"fields": (
            "listing", "guest_name", ("check_in", "check_out", "guests"), "status",
            ("created_at", "expires_at", "accepted_at", "confirmed_at"),
        )}),
        (_("Price snapshot (at booking time)"), {"fields": (
            ("currency", "nightly_subtotal", "discount", "cleaning_fee"),
            ("service_fee", "taxes", "total", "host_fee"), "price_lines",
            ("cancellation_policy", "policy_description"),
        )}),
        (_("Payment and cancellation"), {"fields": (
            ("amount_paid", "refund_amount"), ("cancelled_at", "cancellation_reason"),
            "payments",
        )}),
    )  # fmt: skip
    staff_fields = (_("Guest contact (staff only)"), {"fields": ("guest_email", "guest_phone")})

    def get_fieldsets(self, request, obj=None):
        if request_role(request) == Role.STAFF:
            return (*self.fieldsets, self.staff_fields)
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [
            name
            for _title, opts in self.get_fieldsets(request, obj)
            for row in opts["fields"]
            for name in (row if isinstance(row, tuple) else (row,))
        ]

    def has_add_permission(self, request, *args):
        return False  # guests book through the API; the engine owns every booking

    def has_change_permission(self, request, obj=None):
        return False  # nothing is edited by hand: accept/decline/cancel are actions

    def has_delete_permission(self, request, obj=None):
        return False

    def moderator_queryset(self, qs):
        return qs.filter(review__isnull=False)  # a review's stay, not every booking's money

    def has_answer_permission(self, request, obj=None):
        """Accept, decline, cancel: the listing's host, or staff who may change bookings."""
        role = request_role(request)
        if role == Role.HOST:
            return request.user.has_perm("bookings.change_booking")
        return role == Role.STAFF and request.user.has_perm("bookings.change_booking")

    # --- columns ---------------------------------------------------------------------------

    @display(description=_("Booking"))
    def short_id(self, obj):
        return str(obj.pk)[:8]

    @display(description=_("Guest"))
    def guest_name(self, obj):
        return guest_name(obj.guest)

    @display(description=_("Guest email"))
    def guest_email(self, obj):
        return obj.guest.email

    @display(description=_("Guest phone"))
    def guest_phone(self, obj):
        return obj.guest.phone or "—"

    @display(description=_("Nights"))
    def nights(self, obj):
        return obj.nights

    @display(description=_("Total"), ordering="total")
    def total_display(self, obj):
        return f"{obj.total} {obj.currency}"

    @display(
        description=_("Status"),
        ordering="status",
        label={
            "requested": "warning", "pending_payment": "info", "confirmed": "success",
            "completed": "success", "cancelled": "danger", "declined": "danger",
            "expired": "danger",
        },
    )  # fmt: skip
    def status_badge(self, obj):
        return obj.status, obj.get_status_display()

    @display(description=_("Quote lines"))
    def price_lines(self, obj):
        return format_html(
            "<pre class='text-xs'>{}</pre>", json.dumps(obj.price_snapshot, indent=2)
        )

    @display(description=_("Policy"))
    def policy_description(self, obj):
        return (obj.policy_snapshot or {}).get("description", "")

    @display(description=_("Payment records"))
    def payments(self, obj):
        return _("Arrives with payments.")

    # --- actions (through bookings.services) -----------------------------------------------

    @action(description=_("Accept request"), permissions=["answer"], icon="check")
    def accept(self, request, queryset):
        apply_to_each(
            request, queryset.select_related("listing"),
            lambda b: services.booking_accept(booking=b, actor=request.user),
            done=("{count} request accepted.", "{count} requests accepted."),
        )  # fmt: skip

    @action(description=_("Decline request"), permissions=["answer"], icon="close")
    def decline(self, request, queryset):
        form = ReasonForm(request.POST if confirmed(request) else None, required=False)
        if not (confirmed(request) and form.is_valid()):
            rows = [[b, guest_name(b.guest), b.get_status_display()] for b in queryset]
            return confirmation_page(
                self, request, queryset, action="decline", title=_("Decline these requests?"),
                columns=[_("Booking"), _("Guest"), _("Status")], rows=rows,
                reason_form=form, button=_("Decline"),
            )  # fmt: skip
        reason = form.cleaned_data["reason"]
        apply_to_each(
            request, queryset.select_related("listing"),
            lambda b: services.booking_decline(booking=b, actor=request.user, reason=reason),
            done=("{count} request declined.", "{count} requests declined."),
        )  # fmt: skip

    @action(
        description=_("Cancel booking (shows the refund)"), permissions=["answer"], icon="cancel"
    )
    def cancel(self, request, queryset):
        queryset = queryset.select_related("listing", "guest")
        form = ReasonForm(request.POST if confirmed(request) else None, required=False)
        if not (confirmed(request) and form.is_valid()):
            return confirmation_page(
                self, request, queryset, action="cancel", title=_("Cancel these bookings?"),
                columns=[_("Booking"), _("Guest"), _("Status"), _("Paid"), _("Refund")],
                rows=[self._refund_row(request, b) for b in queryset],
                reason_form=form, button=_("Cancel bookings"),
            )  # fmt: skip
        reason = form.cleaned_data["reason"]
        apply_to_each(
            request, queryset,
            lambda b: services.booking_cancel(booking=b, actor=request.user, reason=reason),
            done=("{count} booking cancelled.", "{count} bookings cancelled."),
        )  # fmt: skip

    def _refund_row(self, request, booking):
        try:
            preview = services.booking_refund_preview(booking=booking, actor=request.user)
            refund = f"{preview.refund_amount} {preview.currency} ({preview.policy}, "
            refund += f"{preview.days_before} days before check-in)"
        except DomainError as exc:
            refund = domain_error_text(exc)
        paid = f"{booking.amount_paid} {booking.currency}"
        return [booking, guest_name(booking.guest), booking.get_status_display(), paid, refund]
