"""The sidebar, built per request: entries by role, badges on the waiting queues."""

from functools import wraps
from urllib.parse import parse_qsl

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking, BookingStatus
from messaging.selectors import unread_count_total
from reviews.models import Review

from .audit_views import may_read_timeline
from .roles import Role, request_role

STAFF, HOST, MODERATOR, AUDITOR = Role.STAFF, Role.HOST, Role.MODERATOR, Role.AUDITOR
EVERYONE = (STAFF, HOST, MODERATOR, AUDITOR)


def once_per_request(badge):
    """The sidebar decides whether to show a badge and unfold then renders it: one COUNT, not
    two, per badge and page."""

    @wraps(badge)
    def counted(request):
        counts = request.__dict__.setdefault("_sidebar_badges", {})
        if badge.__name__ not in counts:
            counts[badge.__name__] = badge(request)
        return counts[badge.__name__]

    return counted


def _waiting(request, queryset):
    if request_role(request) == Role.HOST:
        queryset = queryset.filter(listing__host=request.user)
    return queryset.count()


@once_per_request
def pending_reviews_badge(request):
    return _waiting(request, Review.objects.filter(status=Review.Status.PENDING))


@once_per_request
def booking_requests_badge(request):
    return _waiting(request, Booking.objects.filter(status=BookingStatus.REQUESTED))


@once_per_request
def unread_messages_badge(request):
    """Messages guests sent this host that they have not read (staff and auditors only read)."""
    if request_role(request) != Role.HOST:
        return 0
    return unread_count_total(request.user)


def _query_matches(request, query: str) -> bool:
    # A change page opened from a filtered list carries the list's filters along.
    params = dict(parse_qsl(request.GET.get("_changelist_filters", "")))
    params.update(request.GET.items())
    return all(params.get(key) == value for key, value in parse_qsl(query))


def active_when(path: str, query: str, narrower: tuple[str, ...] = ()):
    """unfold's "active" callback for an entry. unfold's own check compares paths only, so
    "Moderation queue" (?status__exact=pending) and "All reviews" would both light up: an
    entry is active on its page when its query matches, and an entry without a query steps
    aside when a narrower entry of the same page (`narrower`: their queries) matches."""

    def is_active(request) -> bool:
        if path == reverse("admin:index"):
            return request.path == path
        if not request.path.startswith(path):
            return False
        if query:
            return _query_matches(request, query)
        return not any(_query_matches(request, q) for q in narrower)

    return is_active


def _entry(title, icon, url_name, query="", badge=None, narrower=()):
    path = reverse(f"admin:{url_name}")
    link = path + (f"?{query}" if query else "")
    item = {
        "title": title,
        "icon": icon,
        "link": link,
        "active": active_when(path, query, narrower),
    }
    if badge:
        item["badge"] = f"backoffice.navigation.{badge}"
        item["badge_variant"] = "danger"
    return item


# (group, [(roles, title, icon, url name, query, badge callback)]). To add a section (the
# Money pages, say), add a group here: each entry names the roles that see it and an admin URL
# name; badges are callables registered in BADGES.
LAYOUT = [
    (_("Overview"), [(EVERYONE, _("Dashboard"), "dashboard", "index", "", None)]),
    (_("Listings"), [
        ((STAFF, HOST, AUDITOR), _("Calendar"), "calendar_view_month", "calendar_timeline", "",
         None),
        (EVERYONE, _("Listings"), "home_work", "listings_listing_changelist", "", None),
        ((STAFF, HOST, AUDITOR), _("Host blocks"), "event_busy",
         "calendars_hostblock_changelist", "", None),
        ((STAFF, HOST, AUDITOR), _("Calendar overrides"), "calendar_month",
         "calendars_calendarday_changelist", "", None),
        ((STAFF, HOST, AUDITOR), _("Import jobs"), "upload_file",
         "listings_listingimportjob_changelist", "", None),
        ((STAFF, AUDITOR), _("Amenities"), "checklist", "listings_amenity_changelist", "", None),
    ]),
    (_("Bookings"), [
        (EVERYONE, _("Bookings"), "luggage", "bookings_booking_changelist", "", None),
        ((STAFF, HOST), _("Requests to answer"), "pending_actions",
         "bookings_booking_changelist", "status__exact=requested", "booking_requests_badge"),
        ((STAFF, HOST, AUDITOR), _("Messages"), "forum", "inbox", "", "unread_messages_badge"),
    ]),
    (_("Money"), [
        ((STAFF, HOST, AUDITOR), _("Payouts"), "payments", "payments_payout_changelist", "",
         None),
        ((STAFF, AUDITOR), _("Payments"), "credit_card", "payments_payment_changelist", "", None),
        ((STAFF, AUDITOR), _("Refunds"), "undo", "payments_refund_changelist", "", None),
        ((STAFF, AUDITOR), _("Ledger entries"), "account_balance",
         "ledger_journalentry_changelist", "", None),
        ((STAFF, HOST, AUDITOR), _("Statements"), "receipt_long", "statements", "", None),
    ]),
    (_("Reviews"), [
        # Hosts cannot publish or reject: no queue (nor its red badge) for them, their reviews.
        ((STAFF, MODERATOR, AUDITOR), _("Moderation queue"), "rate_review",
         "reviews_review_changelist", "status__exact=pending", "pending_reviews_badge"),
        ((STAFF, MODERATOR, AUDITOR), _("All reviews"), "reviews", "reviews_review_changelist",
         "", None),
        ((HOST,), _("Reviews"), "reviews", "reviews_review_changelist", "", None),
    ]),
    (_("People"), [((STAFF, AUDITOR), _("Users"), "group",
                    "accounts_user_changelist", "", None)]),
    (_("Audit"), [((STAFF, AUDITOR), _("Audit timeline"), "history", "audit_timeline", "", None)]),
    (_("System"), [((STAFF, AUDITOR), _("Email notifications"), "mail",
                    "notifications_notification_changelist", "", None)]),
]  # fmt: skip

BADGES = {"pending_reviews_badge": pending_reviews_badge,
          "booking_requests_badge": booking_requests_badge,
          "unread_messages_badge": unread_messages_badge}  # fmt: skip


def _may_open(request, url_name: str) -> bool:
    """Entries whose page checks more than the role (the audit timeline's permission)."""
    if url_name == "audit_timeline":
        return may_read_timeline(request)
    return True


def sidebar(request):
    """unfold's SIDEBAR navigation for this person; a badge only when something waits."""
    role = request_role(request)
    groups = []
    for title, entries in LAYOUT:
        items = []
        for roles, item_title, icon, url_name, query, badge in entries:
            if role not in roles or not _may_open(request, url_name):
                continue
            if badge and not BADGES[badge](request):
                badge = None
            narrower = tuple(q for *_x, name, q, _b in entries if name == url_name and q)
            items.append(_entry(item_title, icon, url_name, query, badge, narrower))
        if items:
            groups.append({"title": title, "items": items})
    return groups


def environment(request):
    """The role label next to the page title, so people know how they are acting."""
    role = request_role(request)
    colours = {Role.STAFF: "danger", Role.AUDITOR: "info", Role.MODERATOR: "warning"}
    if role == Role.NONE:
        return None
    return [role.value.title(), colours.get(role, "success")]
