"""A booking's money on its page: payments with their refunds, and its ledger postings."""

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from ledger.selectors import entry_list_for_booking
from payments.models import Refund

TABLE = '<table class="text-sm w-full">{}</table>'
HEAD = "<thead><tr>{}</tr></thead>"
CELL_HEAD = '<th class="font-semibold pr-4 py-1 text-left">{}</th>'
ROW = '<tr class="border-t border-base-200 dark:border-base-800">{}</tr>'
CELL = '<td class="pr-4 py-1 whitespace-nowrap">{}</td>'  # dates and amounts on one line


def _table(columns, rows, *, empty: str):
    if not rows:
        return empty
    head = format_html(HEAD, format_html_join("", CELL_HEAD, ((c,) for c in columns)))
    body = format_html_join(
        "", ROW, ((format_html_join("", CELL, ((cell,) for cell in row)),) for row in rows)
    )
    return format_html(TABLE, format_html("{}<tbody>{}</tbody>", head, body))


def booking_money_table(booking):
    """Each payment, then each of its refunds, oldest first (no card details)."""
    rows = []
    payments = booking.payments.order_by("created_at").prefetch_related("refunds")
    for payment in payments:
        outcome = payment.failure_message or payment.provider_reference or ""
        rows.append(
            [
                payment.created_at.strftime("%Y-%m-%d %H:%M"),
                _("Payment"),
                f"{payment.amount:,.2f} {payment.currency}",
                payment.get_status_display(),
                outcome,
            ]
        )
        for refund in sorted(payment.refunds.all(), key=lambda r: r.created_at):
            detail = refund.reason or refund.get_kind_display()
            if refund.status == Refund.Status.FAILED and refund.failure_message:
                detail = f"{detail} ({refund.failure_message})"
            rows.append(
                [
                    refund.created_at.strftime("%Y-%m-%d %H:%M"),
                    _("Refund") + f" · {refund.get_kind_display()}",
                    f"-{refund.amount:,.2f} {payment.currency}",
                    refund.get_status_display(),
                    detail,
                ]
            )
    return _table(
        [_("When"), _("What"), _("Amount"), _("Status"), _("Detail")],
        rows,
        empty=_("No payment yet."),
    )


def booking_ledger_table(booking):
    rows = []
    for entry in entry_list_for_booking(booking):
        for posting in entry.postings.all():
            rows.append(
                [
                    entry.created_at.strftime("%Y-%m-%d %H:%M"),
                    entry.get_kind_display(),
                    str(posting.account),
                    f"{posting.amount:+,.2f}",
                ]
            )
    return _table(
        [_("When"), _("Entry"), _("Account"), _("Debit + / credit −")],
        rows,
        empty=_("No ledger entries."),
    )
