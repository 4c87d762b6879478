"""Small template filters of the back-office's own pages."""

from decimal import Decimal

from django import template

from bookings.models import BookingStatus

register = template.Library()


@register.filter
def short_price(amount) -> str:
    """A calendar cell's price: 120 for 120.00, 99.50 stays 99.50 (the currency is in the
    page's legend, once)."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


@register.filter
def status_label(status: str) -> str:
    """A calendar bar's status in words ("Pending payment", "Host block")."""
    if status == "block":
        return "Host block"
    try:
        return BookingStatus(status).label
    except ValueError:
        return status


@register.simple_tag(takes_context=True)
def booking_messages(context, booking):
    """The booking page's line about its guest's conversation (None for moderators, who read
    stays only to judge reviews)."""
    from ..conversation_views import booking_messages_link
    from ..roles import Role, request_role

    request = context["request"]
    if request_role(request) not in (Role.HOST, Role.STAFF, Role.AUDITOR):
        return None
    return booking_messages_link(request, booking)
