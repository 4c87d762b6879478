"""One ModelAdmin per model, registered on backoffice.sites.site."""

from . import (  # noqa: F401
    accounts,
    bookings,
    calendars,
    imports,
    listings,
    money,
    notifications,
    reviews,
    security,
)
