"""The Money section: payments, refunds, payouts and the ledger. Records, never forms: every
change goes through the payment and payout services (approve, retry, goodwill refund).

Who sees what (through ScopedAdminMixin): staff everything; auditors read everything and change
nothing; hosts only their own payouts, read-only; moderators no money at all (a 403)."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from import_export import fields as ie_fields
from unfold.admin import TabularInline
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminTextareaWidget, UnfoldAdminTextInputWidget

from common.errors import DomainError
from ledger.models import JournalEntry, Posting
from payments.models import Payment, Payout, PayoutLine, Refund
from payments.services import payment_refundable, refund_goodwill, refund_retry
from payouts import services as payouts

from ..confirm import confirmation_page, confirmed
from ..errors import apply_to_each
from ..resources.export import SafeExportResource
from ..roles import Role, request_role
from ..sites import site
from .base import BackofficeAdmin
from .filters import AutocompleteFilter
from .scoping import ScopedAdminMixin

PAYMENT_LABELS = {"processing": "info", "succeeded": "success", "failed": "danger"}
REFUND_LABELS = {"pending": "info", "succeeded": "success", "failed": "danger"}
PAYOUT_LABELS = {"scheduled": "info", "approved": "warning", "paid": "success", "failed": "danger"}


def flat(fields) -> list[str]:
    """The names of a `fields` layout whose rows may be tuples."""
    return [name for row in fields for name in (row if isinstance(row, tuple) else (row,))]


def when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def short(obj) -> str:
    return str(obj.pk)[:8]


def amount_of(value, currency) -> str:
    return f"{value:,.2f}\u00a0{currency}"  # no break: "1,300.38" over "EUR" in narrow columns


def booking_link(booking_id) -> str:
    url = reverse("admin:bookings_booking_change", args=[booking_id])
    return format_html('<a class="text-primary-600" href="{}">{}</a>', url, str(booking_id)[:8])


class ReadOnlyAdmin(BackofficeAdmin):
    """Money records are written by the services only."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_import_permission(self, request):
        return False


class ReadOnlyInline(ScopedAdminMixin, TabularInline):
    extra = 0
    hide_title = True  # no "<id>: <amount>" line above each row
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # The parent page decided who may be here; the inline shows the parent's rows.
        return request_role(request) in (Role.STAFF, Role.AUDITOR, Role.HOST)

    def get_queryset(self, request):
        return self.model._default_manager.all()


# --- payments and refunds -------------------------------------------------------------------


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ("created_at", "amount", "kind", "status", "reason", "failure_message")
    readonly_fields = flat(fields)


class GoodwillRefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=UnfoldAdminTextInputWidget,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=UnfoldAdminTextareaWidget(attrs={"rows": 3})
    )


@admin.register(Payment, site=site)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "short_id",
        "booking_ref",
        "amount_display",
        "status_badge",
        "payment_method",
        "provider",
        "failure_code",
        "created_at",
    )
    list_select_related = ("booking",)
    list_filter = ("status", "currency", "provider")
    search_fields = ("provider_reference", "booking__id")
    inlines = [RefundInline]
    actions_detail = ("goodwill_refund",)
    fields = (
        "booking_ref",
        ("amount", "currency"),
        "status",
        "payment_method",
        ("provider", "provider_reference"),
        ("failure_code", "failure_message"),
        ("created_at", "succeeded_at", "failed_at"),
        "refundable",
    )
    readonly_fields = flat(fields)

    def get_inlines(self, request, obj):
        # Most payments are never refunded: no empty "Refunds" table under them.
        if obj is None or not obj.refunds.exists():
            return []
        return self.inlines

    @display(description=_("Payment"))
    def short_id(self, obj):
        return short(obj)

    @display(description=_("Booking"))
    def booking_ref(self, obj):
        return booking_link(obj.booking_id)

    @display(description=_("Amount"), ordering="amount")
    def amount_display(self, obj):
        return amount_of(obj.amount, obj.currency)

    @display(description=_("Status"), ordering="status", label=PAYMENT_LABELS)
    def status_badge(self, obj):
        return obj.status, obj.get_status_display()

    @display(description=_("Still refundable"))
    def refundable(self, obj):
        if obj.status != Payment.Status.SUCCEEDED:
            return "—"
        return amount_of(payment_refundable(obj), obj.currency)

    def has_refund_permission(self, request, obj=None):
        return request_role(request) == Role.STAFF and request.user.has_perm("payments.add_refund")

    @action(description=_("Goodwill refund"), permissions=["refund"], icon="undo")
    def goodwill_refund(self, request, object_id):
        """Staff give money back beyond the policy (up to what is still refundable), with a
        reason, through the payment service; a task sends it to the provider."""
        payment = self.get_object(request, object_id)
        form = GoodwillRefundForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                refund_goodwill(actor=request.user, payment=payment, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Refund created; it is being sent to the provider."))
                return HttpResponseRedirect(
                    reverse("admin:payments_payment_change", args=[payment.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Goodwill refund"),
            "opts": self.model._meta,
            "form": form,
            "payment": payment,
            "refundable": amount_of(payment_refundable(payment), payment.currency),
        }
        return TemplateResponse(request, "backoffice/goodwill_refund.html", context)


@admin.register(Refund, site=site)
class RefundAdmin(ReadOnlyAdmin):
    list_display = (
        "short_id",
        "booking_ref",
        "amount_display",
        "kind",
        "status_badge",
        "reason",
        "created_at",
    )
    list_select_related = ("payment",)
    list_filter = ("status", "kind")
    search_fields = ("reason", "provider_reference")
    fields = (
        "booking_ref",
        "payment",
        "amount",
        "kind",
        "status",
        "reason",
        "requested_by",
        "provider_reference",
        ("failure_code", "failure_message"),
        "retry_of",
        ("created_at", "succeeded_at", "failed_at"),
    )
    readonly_fields = flat(fields)

    @display(description=_("Refund"))
    def short_id(self, obj):
        return short(obj)

    @display(description=_("Booking"))
    def booking_ref(self, obj):
        return booking_link(obj.payment.booking_id)

    @display(description=_("Amount"), ordering="amount")
    def amount_display(self, obj):
        return amount_of(obj.amount, obj.payment.currency)

    @display(description=_("Status"), ordering="status", label=REFUND_LABELS)
    def status_badge(self, obj):
        return obj.status, obj.get_status_display()

    # --- retry (through payments.services.refund_retry) ---------------------------------

    actions_detail = ("retry_one",)

    def has_retry_one_permission(self, request, object_id=None):
        if not (
            request_role(request) == Role.STAFF and request.user.has_perm("payments.add_refund")
        ):
            return False
        return (
            object_id is None
            or Refund.objects.filter(
                pk=object_id, status=Refund.Status.FAILED, retried_by__isnull=True
            ).exists()
        )

    @action(description=_("Retry"), permissions=["retry_one"], icon="replay")
    def retry_one(self, request, object_id):
        """A failed refund sent again once its cause is fixed: a confirmation page first, then
        a new refund of the same amount (the service decides whether it may be retried)."""
        refund = self.get_object(request, object_id)  # None when out of scope
        if refund is None:
            raise Http404
        queryset = self.get_queryset(request).filter(pk=refund.pk)
        if not confirmed(request):
            row = [
                short(refund),
                amount_of(refund.amount, refund.payment.currency),
                refund.failure_message or refund.failure_code or "—",
            ]
            return confirmation_page(
                self,
                request,
                queryset,
                action="retry_one",
                title=_("Send this refund again? A new refund of the same amount is created."),
                rows=[row],
                columns=[_("Refund"), _("Amount"), _("Last failure")],
                button=_("Retry"),
            )
        apply_to_each(
            request,
            queryset,
            lambda r: refund_retry(actor=request.user, refund=r),
            done=("{count} refund sent again.", "{count} refunds sent again."),
        )
        return HttpResponseRedirect(reverse("admin:payments_refund_change", args=[refund.pk]))


# --- payouts --------------------------------------------------------------------------------


class PayoutExportResource(SafeExportResource):
    host = ie_fields.Field(attribute="host__email", column_name="host")
    bookings = ie_fields.Field(column_name="bookings")

    class Meta:
        model = Payout
        fields = (
            "id",
            "host",
            "currency",
            "amount",
            "status",
            "bookings",
            "created_at",
            "approved_at",
            "paid_at",
            "failed_at",
            "failure_reason",
            "provider_reference",
        )
        export_order = fields

    def dehydrate_bookings(self, payout):
        return " ".join(str(line.booking_id) for line in payout.lines.all())


class PayoutLineInline(ReadOnlyInline):
    model = PayoutLine
    fields = ("booking_ref", "stay", "amount")
    readonly_fields = flat(fields)
    verbose_name = _("booking")
    verbose_name_plural = _("bookings paid out")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("booking")

    @display(description=_("Booking"))
    def booking_ref(self, obj):
        return booking_link(obj.booking_id)

    @display(description=_("Stay"))
    def stay(self, obj):
        return f"{obj.booking.check_in} → {obj.booking.check_out}"


@admin.register(Payout, site=site)
class PayoutAdmin(ReadOnlyAdmin):
    host_lookup = "host"
    staff_only_list_filters = ("host",)
    resource_classes = [PayoutExportResource]
    list_display = (
        "short_id",
        "host",
        "amount_display",
        "status_badge",
        "bookings",
        "created",
        "last_step",
        "failure_reason",
    )
    list_select_related = ("host",)
    list_filter = ("status", "currency", ("host", AutocompleteFilter))
    search_fields = ("host__email", "provider_reference")
    inlines = [PayoutLineInline]
    actions = ("approve", "retry")
    actions_detail = ("approve_one", "retry_one")
    fields = (
        "host",
        ("amount", "currency"),
        "status",
        "failure_reason",
        ("created_at", "approved_at", "approved_by"),
        ("paid_at", "failed_at"),
        ("attempt", "provider_reference"),
    )
    readonly_fields = flat(fields)

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(line_count=Count("lines"))

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("lines")

    def get_list_display(self, request):
        """A host's own payouts: no column repeating their own email on every row."""
        columns = super().get_list_display(request)
        if request_role(request) == Role.HOST:
            return [c for c in columns if c != "host"]
        return columns

    host_fields = (
        "amount_display",
        "status",
        "failure_reason",
        ("created_at", "approved_at"),
        ("paid_at", "failed_at"),
    )

    def get_fields(self, request, obj=None):
        # Hosts read their own payout: not who approved it (staff's email).
        return self.host_fields if request_role(request) == Role.HOST else self.fields

    def get_readonly_fields(self, request, obj=None):
        return flat(self.get_fields(request, obj))

    def has_payout_permission(self, request, obj=None):
        """Approve and retry: staff who may change payouts."""
        return request_role(request) == Role.STAFF and request.user.has_perm(
            "payments.change_payout"
        )

    @display(description=_("Payout"))
    def short_id(self, obj):
        return short(obj)

    @display(description=_("Amount"), ordering="amount")
    def amount_display(self, obj):
        return amount_of(obj.amount, obj.currency)

    @display(description=_("Status"), ordering="status", label=PAYOUT_LABELS)
    def status_badge(self, obj):
        return obj.status, obj.get_status_display()

    @display(description=_("Created"), ordering="created_at")
    def created(self, obj):
        return when(obj.created_at)

    @display(description=_("Approved / paid / failed"))
    def last_step(self, obj):
        steps = [
            (obj.approved_at, _("approved")),
            (obj.paid_at, _("paid")),
            (obj.failed_at, _("failed")),
        ]
        done = [f"{label} {when(at)}" for at, label in steps if at]
        return format_html_join(mark_safe("<br>"), "{}", ((d,) for d in done)) if done else "—"

    @display(description=_("Bookings"))
    def bookings(self, obj):
        return getattr(obj, "line_count", None) or obj.lines.count()

    # --- actions (through payouts.services) --------------------------------------------

    def _confirm(self, request, queryset, *, action_name, title, button):
        rows = [
            [
                short(p),
                p.host,
                amount_of(p.amount, p.currency),
                p.get_status_display(),
                p.failure_reason or "—",
            ]
            for p in queryset.select_related("host")
        ]
        return confirmation_page(
            self,
            request,
            queryset,
            action=action_name,
            title=title,
            rows=rows,
            columns=[_("Payout"), _("Host"), _("Amount"), _("Status"), _("Last failure")],
            button=button,
        )

    @action(description=_("Approve and pay"), permissions=["payout"], icon="price_check")
    def approve(self, request, queryset):
        if not confirmed(request):
            return self._confirm(
                request,
                queryset,
                action_name="approve",
                button=_("Approve and pay"),
                title=_("Approve these payouts? The money is transferred to the hosts."),
            )
        apply_to_each(
            request,
            queryset,
            lambda p: payouts.payout_approve(actor=request.user, payout=p),
            done=(
                "{count} payout approved; its transfer is on its way.",
                "{count} payouts approved; their transfers are on their way.",
            ),
        )

    @action(description=_("Retry failed transfer"), permissions=["payout"], icon="replay")
    def retry(self, request, queryset):
        if not confirmed(request):
            return self._confirm(
                request,
                queryset,
                action_name="retry",
                button=_("Retry"),
                title=_("Retry these failed payouts?"),
            )
        apply_to_each(
            request,
            queryset,
            lambda p: payouts.payout_retry(actor=request.user, payout=p),
            done=("{count} payout sent again.", "{count} payouts sent again."),
        )

    def _detail(self, request, object_id, bulk_action):
        queryset = self.get_queryset(request).filter(pk=object_id)
        self.get_object(request, object_id)  # 404 when out of scope
        response = bulk_action(request, queryset)
        if response is not None:
            return response
        return HttpResponseRedirect(reverse("admin:payments_payout_change", args=[object_id]))

    def _payout_in(self, object_id, status) -> bool:
        return object_id is None or Payout.objects.filter(pk=object_id, status=status).exists()

    def has_approve_one_permission(self, request, object_id=None):
        return self.has_payout_permission(request) and self._payout_in(object_id, "scheduled")

    def has_retry_one_permission(self, request, object_id=None):
        return self.has_payout_permission(request) and self._payout_in(object_id, "failed")

    @action(description=_("Approve and pay"), permissions=["approve_one"], icon="price_check")
    def approve_one(self, request, object_id):
        return self._detail(request, object_id, self.approve)

    @action(description=_("Retry"), permissions=["retry_one"], icon="replay")
    def retry_one(self, request, object_id):
        return self._detail(request, object_id, self.retry)


# --- the ledger -----------------------------------------------------------------------------


class PostingInline(ReadOnlyInline):
    model = Posting
    fields = ("account", "amount", "currency")
    readonly_fields = flat(fields)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account__host")


@admin.register(JournalEntry, site=site)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("created", "kind", "source", "postings_summary")
    list_filter = ("kind",)
    search_fields = ("memo",)
    inlines = [PostingInline]
    fields = ("created_at", "kind", "memo", "source")
    readonly_fields = flat(fields)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("payment", "refund__payment", "payout")
            .prefetch_related("postings__account")
        )

    @display(description=_("Created"), ordering="created_at")
    def created(self, obj):
        return when(obj.created_at)

    @display(description=_("Source"))
    def source(self, obj):
        if obj.payment_id:
            return format_html("{} · {}", _("Booking"), booking_link(obj.payment.booking_id))
        if obj.refund_id:
            return format_html(
                "{} · {}", _("Refund of booking"), booking_link(obj.refund.payment.booking_id)
            )
        url = reverse("admin:payments_payout_change", args=[obj.payout_id])
        return format_html(
            '<a class="text-primary-600" href="{}">{} {}</a>',
            url,
            _("Payout"),
            str(obj.payout_id)[:8],
        )

    @display(description=_("Postings"))
    def postings_summary(self, obj):
        return format_html_join(
            mark_safe("<br>"),
            "{}: {}",
            (
                (p.account.get_kind_display(), f"{p.amount:+,.2f} {p.currency}")
                for p in obj.postings.all()
            ),
        )
