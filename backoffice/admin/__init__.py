"""One ModelAdmin per model, registered on backoffice.sites.site."""

from . import accounts, bookings, calendars, imports, listings, notifications, reviews  # noqa: F401
