"""Settings of the back-office (django-unfold admin at /admin/, django-import-export)."""

import environ
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

env = environ.Env()

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
    },
    # The command palette finds records too, within what the role may open.
    "COMMAND": {"search_callback": "backoffice.search.record_search"},
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        # Built per request (entries by role, badges on waiting queues).
        "navigation": "backoffice.navigation.sidebar",
    },
}

# --- django-import-export ---------------------------------------------------------------------
# Off on purpose: every export neutralises formula-like text cells itself with one rule,
# common.spreadsheet.neutralise (a leading =, +, -, @, tab or CR gets an apostrophe; plain
# numbers such as -9.14 stay numbers): the admins' export resources through
# backoffice.resources.export.SafeExportResource, the audit and import-error CSVs and the host
# statements through common.spreadsheet.csv_cell. The library's own escaping only strips one
# leading "=" and, in XLSX, turns every cell, numbers included, into text.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
IMPORT_EXPORT_SKIP_ADMIN_LOG = True  # history (simple-history) is the audit trail
# History is the audit record: never editable, so no revert button anywhere.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- listing import (backoffice/IMPORT.md) ---------------------------------------------------
# Files above MAX are refused before anything is stored; files above ASYNC_BYTES (unread) or
# with more than ASYNC_ROWS rows skip the preview and are imported by a Celery task on the
# `imports` queue (a ListingImportJob shows the progress and the result), so no request holds
# a web worker for more than ~2 s: 3,000 rows are well under a second of preview or confirm.
LISTING_IMPORT_MAX_BYTES = env.int("LISTING_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
LISTING_IMPORT_ASYNC_BYTES = env.int("LISTING_IMPORT_ASYNC_BYTES", default=2 * 1024 * 1024)
LISTING_IMPORT_ASYNC_ROWS = env.int("LISTING_IMPORT_ASYNC_ROWS", default=3_000)
# Bounded reading of hostile files: rows under the header, and what an XLSX (a zip) may unpack to.
LISTING_IMPORT_MAX_ROWS = env.int("LISTING_IMPORT_MAX_ROWS", default=100_000)
LISTING_IMPORT_MAX_UNPACKED_BYTES = env.int(
    "LISTING_IMPORT_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024
)
