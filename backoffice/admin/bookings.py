"""Bookings: read-only records (the price snapshot never changes); answered through actions."""

from datetime import date
from decimal import Decimal
from functools import partial

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export import fields as ie_fields
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from bookings import services
from bookings.models import CANCELLABLE_STATUSES, Booking
from common.errors import DomainError
from payments.services import booking_cancel_with_refund

from ..confirm import confirmation_page, confirmed
from ..errors import apply_to_each, domain_error_text
from ..forms import ReasonForm
from ..people import full_name
from ..resources.export import SafeExportResource
from ..roles import Role, request_role
from ..sites import site
from .base import BackofficeAdmin
from .filters import AutocompleteFilter, listing_values_filter
from .money_tables import booking_ledger_table, booking_money_table

NIGHT_REASONS = {
    "weekday": _("Nightly price"),
    "weekend": _("Weekend price"),
    "override": _("Your price for that night"),
}
NOT_RECORDED = _("Not recorded")


class BookingExportResource(SafeExportResource):
    """What leaves the back-office about a booking: the guest's name, never their contacts."""

    listing = ie_fields.Field(attribute="listing__title", column_name="listing")
    guest = ie_fields.Field(column_name="guest")

    class Meta:
        model = Booking
        fields = (
            "id",
            "listing",
            "guest",
            "check_in",
            "check_out",
            "guests",
            "status",
            "currency",
            "total",
            "service_fee",
            "host_fee",
            "amount_paid",
            "refund_amount",
            "created_at",
        )

    def dehydrate_guest(self, booking):
        return full_name(booking.guest)


@admin.register(Booking, site=site)
class BookingAdmin(BackofficeAdmin):
    host_lookup = "listing__host"
    moderator_can_view = True  # only the reviewed stays: see moderator_queryset
    staff_only_list_filters = ("listing",)
    resource_classes = [BookingExportResource]
    list_display = (
        "short_id",
        "listing",
        "guest_name",
        "check_in",
        "check_out",
        "nights",
        "status_badge",
        "total_display",
        "created_at",
    )
    list_select_related = ("listing", "guest")
    list_filter = (
        "status",
        ("check_in", RangeDateFilter),
        ("listing", AutocompleteFilter),  # staff only: 10,000 listings are no dropdown
        listing_values_filter("listing__city", _("city")),
    )
    list_filter_submit = True
    search_fields = ("listing__title", "guest__first_name", "guest__last_name")
    date_hierarchy = None
    actions = ("accept", "decline", "cancel")
    actions_detail = ("accept_one", "decline_one", "cancel_one")
    change_form_before_template = "backoffice/booking_messages.html"  # the guest's messages
    # One value per row: four read-only dates side by side broke "Dec. 5, 2026, 4:27 p.m."
    # over four lines; the stay and its events each read on one line.
    fieldsets = (
        (_("Stay"), {"fields": ("listing", "guest_name", "stay_summary", "status", "timeline")}),
        (_("Price at booking time"), {"fields": ("price_table", "policy_description")}),
        (
            _("Payment and cancellation"),
            {
                "fields": (
                    "status_reason",
                    ("paid", "refunded"),
                    "payments",
                )
            },
        ),
    )
    staff_fields = (_("Guest contact (staff only)"), {"fields": ("guest_email", "guest_phone")})

    ledger_fields = (_("Ledger (staff and auditors)"), {"fields": ("ledger_postings",)})

    def get_fieldsets(self, request, obj=None):
        role = request_role(request)
        if role == Role.MODERATOR:
            return self.fieldsets[:1]  # moderators judge the stay's review, not its money
        if role == Role.STAFF:
            return (*self.fieldsets, self.ledger_fields, self.staff_fields)
        if role == Role.AUDITOR:
            return (*self.fieldsets, self.ledger_fields)
        return self.fieldsets

    def get_list_display(self, request):
        if request_role(request) == Role.MODERATOR:
            return [f for f in self.list_display if f != "total_display"]
        return self.list_display

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
        return full_name(obj.guest)

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
            "requested": "warning",
            "pending_payment": "info",
            "confirmed": "success",
            "completed": "success",
            "cancelled": "danger",
            "declined": "danger",
            "expired": "danger",
        },
    )
    def status_badge(self, obj):
        return obj.status, obj.get_status_display()

    @display(description=_("Stay"))
    def stay_summary(self, obj):
        nights = ngettext("%(n)d night", "%(n)d nights", obj.nights) % {"n": obj.nights}
        guests = ngettext("%(n)d guest", "%(n)d guests", obj.guests) % {"n": obj.guests}
        return format_html(
            '<span class="one-line">{} → {} · {} · {}</span>',
            date_format(obj.check_in, "D j M Y"),
            date_format(obj.check_out, "D j M Y"),
            nights,
            guests,
        )

    @display(description=_("Timeline"))
    def timeline(self, obj):
        events = [
            (_("Booked"), obj.created_at),
            (_("Accepted"), obj.accepted_at),
            (_("Confirmed"), obj.confirmed_at),
            (_("Cancelled"), obj.cancelled_at),
        ]
        waiting = (Booking.Status.REQUESTED, Booking.Status.PENDING_PAYMENT)
        if obj.expires_at and obj.status in waiting:
            label = _("Answer by") if obj.status == Booking.Status.REQUESTED else _("Pay by")
            events.append((label, obj.expires_at))
        items = format_html_join(
            "",
            '<li><span class="event-label">{}</span> {}</li>',
            ((label, date_format(localtime(when), "j M Y, H:i")) for label, when in events if when),
        )
        return format_html('<ul class="event-line">{}</ul>', items)

    @display(description=_("Why this status"))
    def status_reason(self, obj):
        """The status in a sentence: who ended the booking, when and why, from the booking and
        its history. Requests and holds say until when they wait; a booking that expired says
        what it waited for (an answer or a payment), read from the status it had before."""
        when = partial(date_format, format="j M Y, H:i")
        status = obj.status
        if status == Booking.Status.REQUESTED:
            return (
                _("Waiting for the host's answer until %(when)s.")
                % {"when": when(localtime(obj.expires_at))}
                if obj.expires_at
                else "—"
            )
        if status == Booking.Status.PENDING_PAYMENT:
            return (
                _("Accepted; waiting for the guest's payment until %(when)s.")
                % {"when": when(localtime(obj.expires_at))}
                if obj.expires_at
                else "—"
            )
        if status == Booking.Status.CONFIRMED:
            return _("Paid in full; the stay is ahead.")
        if status == Booking.Status.COMPLETED:
            return _("The stay took place (checked out %(day)s).") % {
                "day": date_format(obj.check_out, "j M Y")
            }
        reason = obj.cancellation_reason or _("no reason given")
        if status == Booking.Status.CANCELLED:
            return _("Cancelled%(by)s on %(when)s: %(reason)s") % {
                "by": self._by(obj, obj.cancelled_by_id),
                "reason": reason,
                "when": when(localtime(obj.cancelled_at)) if obj.cancelled_at else "?",
            }
        change = obj.history.filter(status=status).order_by("history_date").first()
        changed = when(localtime(change.history_date)) if change else "?"
        if status == Booking.Status.DECLINED:
            return _("Declined%(by)s on %(when)s: %(reason)s") % {
                "by": self._by(obj, change.history_user_id if change else None),
                "when": changed,
                "reason": reason,
            }
        before = (
            obj.history.exclude(status=status)
            .order_by("-history_date")
            .values_list("status", flat=True)
            .first()
        )
        if before == Booking.Status.PENDING_PAYMENT:
            return _("Expired on %(when)s: the guest did not pay in time.") % {"when": changed}
        return _("Expired on %(when)s: the host did not answer in time.") % {"when": changed}

    @staticmethod
    def _by(obj, user_id) -> str:
        """ " by the guest", " by the host", " by StayBook staff", or nothing when no person
        did it (a job, the demo data)."""
        if user_id is None:
            return ""
        if user_id == obj.guest_id:
            return _(" by the guest")
        if user_id == obj.listing.host_id:
            return _(" by the host")
        return _(" by StayBook staff")

    @display(description=_("Amount paid"))
    def paid(self, obj):
        return f"{obj.amount_paid:,.2f} {obj.currency}"

    @display(description=_("Refunded"))
    def refunded(self, obj):
        return f"{obj.refund_amount:,.2f} {obj.currency}" if obj.refund_amount else "—"

    @display(description=_("Price"))
    def price_table(self, obj):
        """The snapshot as a person reads a bill: each night with its price and why, then the
        fees, the total the guest pays and what the host keeps."""
        currency = obj.currency
        snapshot = obj.price_snapshot or {}

        def amount(value, sign=""):
            value = Decimal(value)
            return f"{sign if value else ''}{value:,.2f} {currency}"  # no "−0.00"

        nightly = snapshot.get("nightly", [])
        nights = [
            (
                date_format(date.fromisoformat(n["date"]), "D j M Y"),
                NIGHT_REASONS.get(n.get("reason"), NOT_RECORDED),
                amount(n["price"]),
            )
            for n in nightly
        ]
        # Bookings made before the quote kept each night's reason have none: say so rather
        # than leave the column blank or guess from today's prices.
        unexplained = any(n.get("reason") not in NIGHT_REASONS for n in nightly)
        base = obj.nightly_subtotal - obj.discount + obj.cleaning_fee
        summary = [
            (
                ngettext("%(n)d night", "%(n)d nights", len(nights)) % {"n": len(nights)},
                amount(obj.nightly_subtotal),
                "",
            ),
            (_("Discount"), amount(obj.discount, "−"), ""),
            (_("Cleaning fee"), amount(obj.cleaning_fee), ""),
            (_("Guest service fee"), amount(obj.service_fee), ""),
            (_("Taxes"), amount(obj.taxes), ""),
            (_("Total the guest pays"), amount(obj.total), "total"),
            (_("Host fee"), amount(obj.host_fee, "−"), ""),
            (_("Host payout"), amount(base - obj.host_fee), "total"),
        ]
        night_rows = format_html_join(
            "", '<tr><td>{}</td><td class="why">{}</td><td class="num">{}</td></tr>', nights
        )
        summary_rows = format_html_join(
            "",
            '<tr class="{2}"><th colspan="2" scope="row">{0}</th><td class="num">{1}</td></tr>',
            summary,
        )
        table = format_html(
            '<table class="price-table" id="price-table"><thead><tr><th>{}</th><th>{}</th>'
            '<th class="num">{}</th></tr></thead><tbody>{}</tbody><tfoot>{}</tfoot></table>',
            _("Night"),
            _("Which price"),
            _("Price"),
            night_rows,
            summary_rows,
        )
        if not unexplained:
            return table
        return format_html(
            '{}<p class="price-note">{}</p>',
            table,
            _(
                "This booking was made before StayBook kept which price applied to each night "
                "(nightly, weekend or the host's own): the amounts are what was charged."
            ),
        )

    @display(description=_("Cancellation policy"))
    def policy_description(self, obj):
        description = (obj.policy_snapshot or {}).get("description", "")
        return f"{obj.cancellation_policy.capitalize()}: {description}"

    @display(description=_("Payments and refunds"))
    def payments(self, obj):
        return booking_money_table(obj)

    @display(description=_("Ledger postings"))
    def ledger_postings(self, obj):
        return booking_ledger_table(obj)

    # --- actions (through bookings.services) -----------------------------------------------

    @action(description=_("Accept request"), permissions=["answer"], icon="check")
    def accept(self, request, queryset):
        apply_to_each(
            request,
            queryset.select_related("listing"),
            lambda b: services.booking_accept(booking=b, actor=request.user),
            done=("{count} request accepted.", "{count} requests accepted."),
        )

    @action(description=_("Decline request"), permissions=["answer"], icon="close")
    def decline(self, request, queryset):
        form = ReasonForm(request.POST if confirmed(request) else None, required=False)
        if not (confirmed(request) and form.is_valid()):
            rows = [[b, full_name(b.guest), b.get_status_display()] for b in queryset]
            return confirmation_page(
                self,
                request,
                queryset,
                action="decline",
                title=_("Decline these requests?"),
                columns=[_("Booking"), _("Guest"), _("Status")],
                rows=rows,
                reason_form=form,
                button=_("Decline"),
            )
        reason = form.cleaned_data["reason"]
        apply_to_each(
            request,
            queryset.select_related("listing"),
            lambda b: services.booking_decline(booking=b, actor=request.user, reason=reason),
            done=("{count} request declined.", "{count} requests declined."),
        )

    @action(
        description=_("Cancel booking (shows the refund)"), permissions=["answer"], icon="cancel"
    )
    def cancel(self, request, queryset):
        queryset = queryset.select_related("listing", "guest")
        form = ReasonForm(request.POST if confirmed(request) else None, required=False)
        if not (confirmed(request) and form.is_valid()):
            return confirmation_page(
                self,
                request,
                queryset,
                action="cancel",
                title=_("Cancel these bookings?"),
                columns=[_("Booking"), _("Guest"), _("Status"), _("Paid"), _("Refund")],
                rows=[self._refund_row(request, b) for b in queryset],
                reason_form=form,
                button=_("Cancel bookings"),
            )
        reason = form.cleaned_data["reason"]
        apply_to_each(
            request,
            queryset,
            lambda b: booking_cancel_with_refund(booking=b, actor=request.user, reason=reason),
            done=("{count} booking cancelled.", "{count} bookings cancelled."),
        )

    # --- the same actions on a booking's own page ---------------------------------------------

    def _detail_booking(self, request, object_id):
        """The booking of a detail-action URL, scoped (404) and cached for the request (the
        permission checks of three buttons read it)."""
        cache = request.__dict__.setdefault("_detail_bookings", {})
        if object_id not in cache:
            cache[object_id] = self.get_object(request, unquote(str(object_id)))
        return cache[object_id]

    def _may(self, request, object_id, statuses) -> bool:
        if object_id is None:
            return False
        booking = self._detail_booking(request, object_id)
        return booking.status in statuses and self.has_answer_permission(request, booking)

    def has_accept_one_permission(self, request, object_id=None):
        return self._may(request, object_id, (Booking.Status.REQUESTED,))

    has_decline_one_permission = has_accept_one_permission

    def has_cancel_one_permission(self, request, object_id=None):
        return self._may(request, object_id, CANCELLABLE_STATUSES)

    def _run_on_one(self, request, object_id, name: str):
        """Unfold routes a detail action straight to its method: check here what the button's
        display checked, then run the list action (same services, same confirmation pages) on
        this one booking and come back to its page."""
        if not getattr(self, f"has_{name}_one_permission")(request, object_id):
            raise PermissionDenied
        booking = self._detail_booking(request, object_id)
        queryset = self.get_queryset(request).filter(pk=booking.pk)
        back = reverse("admin:bookings_booking_change", args=[booking.pk])
        if name == "accept" and not confirmed(request):
            # A link must not change anything by itself: the list action accepts at once,
            # the page's button asks first.
            response = confirmation_page(
                self,
                request,
                queryset,
                action="accept",
                title=_("Accept this request?"),
                columns=[_("Booking"), _("Guest"), _("Nights"), _("Total")],
                rows=[
                    [
                        booking,
                        full_name(booking.guest),
                        booking.nights,
                        f"{booking.total} {booking.currency}",
                    ]
                ],
                button=_("Accept"),
            )
        else:
            response = getattr(self, name)(request, queryset)
        if response is None:
            return HttpResponseRedirect(back)
        response.context_data["back_url"] = back
        return response

    @action(description=_("Accept"), url_path="accept", icon="check", permissions=["accept_one"])
    def accept_one(self, request, object_id):
        return self._run_on_one(request, object_id, "accept")

    @action(description=_("Decline"), url_path="decline", icon="close", permissions=["decline_one"])
    def decline_one(self, request, object_id):
        return self._run_on_one(request, object_id, "decline")

    @action(
        description=_("Cancel (shows the refund)"),
        url_path="cancel",
        icon="cancel",
        permissions=["cancel_one"],
    )
    def cancel_one(self, request, object_id):
        return self._run_on_one(request, object_id, "cancel")

    def _refund_row(self, request, booking):
        try:
            preview = services.booking_refund_preview(booking=booking, actor=request.user)
            refund = f"{preview.refund_amount} {preview.currency} ({preview.policy}, "
            refund += f"{preview.days_before} days before check-in)"
        except DomainError as exc:
            refund = domain_error_text(exc)
        paid = f"{booking.amount_paid} {booking.currency}"
        return [booking, full_name(booking.guest), booking.get_status_display(), paid, refund]
