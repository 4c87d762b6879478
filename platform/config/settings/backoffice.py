"""Settings of the back-office (django-unfold admin at /admin/, django-import-export)."""

from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

NAV = "backoffice.navigation"


def _item(title, icon, url_name, permission, badge=None, query=""):
    """A sidebar entry: `permission` and `badge` name callbacks in backoffice.navigation."""
    link = reverse_lazy(f"admin:{url_name}")
    if query:
        link = lazy(lambda: f"{reverse_lazy(f'admin:{url_name}')}?{query}", str)()
    item = {"title": title, "icon": icon, "link": link, "permission": f"{NAV}.{permission}"}
    if badge:
        item["badge"] = f"{NAV}.{badge}"
    return item


UNFOLD = {
    "SITE_TITLE": "StayBook back-office",
    "SITE_HEADER": "StayBook",
    "SITE_SUBHEADER": _("Hosts, staff, moderators, auditors"),
    "SITE_SYMBOL": "cottage",
    "SITE_URL": "/",
    "SITE_FAVICONS": [
        {"rel": "icon", "type": "image/svg+xml", "href": lambda request: static("favicon.svg")},
    ],
    "STYLES": [lambda request: static("backoffice/backoffice.css")],
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "ENVIRONMENT": "backoffice.navigation.environment",
    "DASHBOARD_CALLBACK": "backoffice.dashboard.dashboard_callback",
    "LOGIN": {"form": "backoffice.forms.BackofficeAuthenticationForm"},
    "COLORS": {
        "primary": {
            "50": "oklch(97.1% .013 17.38)",
            "100": "oklch(93.6% .032 17.717)",
            "200": "oklch(88.5% .062 18.334)",
            "300": "oklch(80.8% .114 19.571)",
            "400": "oklch(70.4% .191 22.216)",
            "500": "oklch(63.7% .237 25.331)",
            "600": "oklch(57.7% .245 27.325)",
            "700": "oklch(50.5% .213 27.518)",
            "800": "oklch(44.4% .177 26.899)",
            "900": "oklch(39.6% .141 25.723)",
            "950": "oklch(25.8% .092 26.042)",
        },
    },  # fmt: skip
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": [
            {
                "title": _("Overview"),
                "items": [
                    _item(_("Dashboard"), "dashboard", "index", "can_see_listings"),
                ],
            },
            {
                "title": _("Listings"),
                "collapsible": False,
                "items": [
                    _item(
                        _("Listings"),
                        "home_work",
                        "listings_listing_changelist",
                        "can_see_listings",
                    ),
                    _item(
                        _("Host blocks"),
                        "event_busy",
                        "calendars_hostblock_changelist",
                        "can_see_calendars",
                    ),
                    _item(
                        _("Calendar overrides"),
                        "calendar_month",
                        "calendars_calendarday_changelist",
                        "can_see_calendars",
                    ),
                    _item(
                        _("Amenities"),
                        "checklist",
                        "listings_amenity_changelist",
                        "is_staff_or_auditor",
                    ),
                ],
            },
            {
                "title": _("Bookings"),
                "items": [
                    _item(
                        _("Bookings"), "luggage", "bookings_booking_changelist", "can_see_bookings"
                    ),
                    _item(
                        _("Requests to answer"),
                        "pending_actions",
                        "bookings_booking_changelist",
                        "can_see_calendars",
                        "booking_requests_badge",
                        "status__exact=requested",
                    ),
                ],
            },
            {
                "title": _("Money"),
                "items": [
                    _item(
                        _("Payouts (arrive with payments)"),
                        "payments",
                        "index",
                        "can_see_calendars",
                    ),
                ],
            },
            {
                "title": _("Reviews"),
                "items": [
                    _item(
                        _("Moderation queue"),
                        "rate_review",
                        "reviews_review_changelist",
                        "can_see_reviews",
                        "pending_reviews_badge",
                        "status__exact=pending",
                    ),
                    _item(
                        _("All reviews"), "reviews", "reviews_review_changelist", "can_see_reviews"
                    ),
                ],
            },
            {
                "title": _("People"),
                "items": [
                    _item(_("Users"), "group", "accounts_user_changelist", "can_see_people"),
                ],
            },
            {
                "title": _("Audit"),
                "items": [
                    _item(_("Audit timeline"), "history", "audit_timeline", "is_staff_or_auditor"),
                ],
            },
        ],
    },
}

# --- django-import-export ---------------------------------------------------------------------
# Exports neutralise formula-like cells (=, +, -, @) so a spreadsheet never runs them.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True  # history (simple-history) is the audit trail
# History is the audit record: never editable, so no revert button anywhere.
SIMPLE_HISTORY_REVERT_DISABLED = True
