"""A host's monthly statement, read from the ledger: what their payable account received and
gave in the month (bookings with their fee, refunds, payouts), between the opening and closing
balance. One section per currency the host has money in."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from common.errors import ValidationFailed
from common.money import money
from common.spreadsheet import csv_cell
from ledger.models import Account, EntryKind, Posting

ZERO = Decimal("0.00")
HEADER = ["date", "type", "booking", "description", "gross", "host_fee", "amount", "balance"]


@dataclass(frozen=True)
class Line:
    date: dt.date
    type: str
    booking: str
    description: str
    gross: Decimal | None
    host_fee: Decimal | None
    amount: Decimal  # the effect on what the host is owed
    balance: Decimal


@dataclass(frozen=True)
class Section:
    currency: str
    opening: Decimal
    lines: list[Line]
    closing: Decimal


def parse_month(value: str) -> tuple[dt.datetime, dt.datetime]:
    """'2026-11' → [start, end) as aware datetimes (UTC); a clear error otherwise."""
    try:
        first = dt.datetime.strptime((value or "").strip(), "%Y-%m").date()
    except ValueError:
        raise ValidationFailed("month_invalid", "Give the month as YYYY-MM.", "month") from None
    after = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC)
    return start, dt.datetime.combine(after, dt.time.min, tzinfo=dt.UTC)


def host_statement(*, host, month: str) -> list[Section]:
    start, end = parse_month(month)
    sections = []
    accounts = Account.objects.filter(kind=Account.Kind.HOST_PAYABLE, host=host).order_by(
        "currency"
    )
    for account in accounts:
        before = account.postings.filter(entry__created_at__lt=start).aggregate(t=Sum("amount"))
        opening = money(-(before["t"] or ZERO))
        postings = (
            Posting.objects.filter(
                account=account, entry__created_at__gte=start, entry__created_at__lt=end
            )
            .select_related(
                "entry__payment__booking__listing",
                "entry__refund__payment__booking__listing",
                "entry__payout",
            )
            .order_by("entry__created_at", "id")
        )
        balance, lines = opening, []
        for posting in postings:
            amount = money(-posting.amount)
            balance += amount
            lines.append(_line(posting.entry, amount, balance))
        if lines or opening:
            sections.append(Section(account.currency, opening, lines, balance))
    return sections


def _line(entry, amount: Decimal, balance: Decimal) -> Line:
    day = timezone.localtime(entry.created_at).date()
    if entry.kind == EntryKind.PAYMENT:
        booking = entry.payment.booking
        gross = booking.total - booking.service_fee - booking.taxes
        return Line(
            day,
            "booking",
            str(booking.pk),
            _stay(booking),
            money(gross),
            -booking.host_fee,
            amount,
            balance,
        )
    if entry.kind == EntryKind.REFUND:
        booking = entry.refund.payment.booking
        reason = entry.refund.reason or entry.refund.get_kind_display()
        return Line(
            day,
            "refund",
            str(booking.pk),
            f"{_stay(booking)} · {reason}",
            None,
            None,
            amount,
            balance,
        )
    payout = entry.payout
    return Line(day, "payout", "", f"Payout {str(payout.pk)[:8]}", None, None, amount, balance)


def _stay(booking) -> str:
    return f"{booking.listing.title}, {booking.check_in} → {booking.check_out}"


def statement_csv(sections: list[Section], *, host, month: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["statement", host.email, month])
    for section in sections:
        writer.writerow([])
        writer.writerow(["currency", section.currency])
        writer.writerow(HEADER)
        writer.writerow(["", "opening balance", "", "", "", "", "", section.opening])
        for line in section.lines:
            writer.writerow(
                [
                    line.date,
                    line.type,
                    line.booking,
                    _safe(line.description),
                    _blank(line.gross),
                    _blank(line.host_fee),
                    line.amount,
                    line.balance,
                ]
            )
        writer.writerow(["", "closing balance", "", "", "", "", "", section.closing])
    if not sections:
        writer.writerow(["no money movements"])
    return out.getvalue()


def _blank(value):
    return "" if value is None else value


def _safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula is prefixed (listing titles are hosts')."""
    return csv_cell(text)
