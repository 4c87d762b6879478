"""Which refusal codes each API domain can answer with, from the core's enums.

An operation of a domain can refuse with its own domain's codes, the shared ones and those of
every domain its services build on (a booking can fail on a calendar's dates_unavailable).
GraphQL publishes each union as an enum type on the domain's mutation errors; OpenAPI lists it
on each operation's error responses."""

from accounts.errors import AccountErrorCode
from bookings.errors import BookingErrorCode
from calendars.errors import CalendarErrorCode
from common.errors import CommonErrorCode, ErrorCode
from ledger.errors import LedgerErrorCode
from listings.errors import ListingErrorCode
from messaging.errors import MessagingErrorCode
from payments.errors import PaymentErrorCode
from payouts.errors import PayoutErrorCode
from reviews.errors import ReviewErrorCode
from wishlists.errors import WishlistErrorCode

DOMAIN_ENUMS: dict[str, type[ErrorCode]] = {
    "accounts": AccountErrorCode,
    "bookings": BookingErrorCode,
    "calendars": CalendarErrorCode,
    "ledger": LedgerErrorCode,
    "listings": ListingErrorCode,
    "messaging": MessagingErrorCode,
    "payments": PaymentErrorCode,
    "payouts": PayoutErrorCode,
    "reviews": ReviewErrorCode,
    "wishlists": WishlistErrorCode,
}

# The domains each API domain's operations call into, directly or through the core's services
# (the layers written down in pyproject's import contracts and the README).
BUILDS_ON: dict[str, tuple[str, ...]] = {
    "accounts": (),
    "listings": ("accounts", "calendars"),
    "calendars": ("accounts", "listings"),
    "bookings": ("accounts", "listings", "calendars", "payments", "ledger"),
    "payments": ("accounts", "listings", "calendars", "bookings", "ledger"),
    "payouts": ("accounts", "listings", "calendars", "bookings", "payments", "ledger"),
    "reviews": ("accounts", "listings", "calendars", "bookings"),
    "messaging": ("accounts", "listings", "calendars", "bookings"),
    "wishlists": ("accounts", "listings"),
}


# How each domain is named in the APIs' types: BookingError, BookingErrorCode, ...
ERROR_TYPE_NAMES = {
    "accounts": "Account",
    "bookings": "Booking",
    "calendars": "Calendar",
    "listings": "Listing",
    "messaging": "Messaging",
    "payments": "Payment",
    "payouts": "Payout",
    "reviews": "Review",
    "wishlists": "Wishlist",
}


def codes_for(domain: str) -> list[str]:
    """Every code an operation of `domain` may answer with, sorted."""
    enums: list[type[ErrorCode]] = [CommonErrorCode, DOMAIN_ENUMS[domain]]
    enums += [DOMAIN_ENUMS[name] for name in BUILDS_ON.get(domain, ())]
    return sorted({member.value for enum in enums for member in enum})
