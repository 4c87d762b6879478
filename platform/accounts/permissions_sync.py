"""Keep the role groups and their permissions in step with the code after every migrate."""

from django.contrib.auth.models import Group, Permission

from . import roles

# Auditors read every app here: the sidebar offers them the email log (notifications), which
# refused them with a 403 while it was missing from this list.
DOMAIN_APPS = (
    "accounts",
    "listings",
    "calendars",
    "bookings",
    "reviews",
    "payments",
    "ledger",
    "audit",
    "payouts",
    "messaging",
    "wishlists",
    "notifications",
)

# (app_label, codename) pairs each role needs, besides what the back-office scoping allows.
GROUP_PERMISSIONS = {
    roles.HOSTS: [
        ("listings", "view_listing"),
        ("listings", "add_listing"),
        ("listings", "change_listing"),
        ("listings", "view_listingphoto"),
        ("listings", "add_listingphoto"),
        ("listings", "change_listingphoto"),
        ("listings", "delete_listingphoto"),
        ("listings", "view_amenity"),
        ("calendars", "view_calendarday"),
        ("calendars", "add_calendarday"),
        ("calendars", "change_calendarday"),
        ("calendars", "delete_calendarday"),
        ("calendars", "view_hostblock"),
        ("calendars", "add_hostblock"),
        ("calendars", "change_hostblock"),
        ("calendars", "delete_hostblock"),
        ("bookings", "view_booking"),
        ("bookings", "change_booking"),
        ("reviews", "view_review"),
        ("reviews", "change_review"),
        ("payments", "view_payout"),
        ("payments", "view_payoutline"),
    ],
    roles.MODERATORS: [
        ("reviews", "view_review"),
        ("reviews", "change_review"),
        ("reviews", "moderate_review"),
        ("listings", "view_listing"),
        ("bookings", "view_booking"),
        ("accounts", "view_user"),
    ],
}


def sync_role_groups(**kwargs) -> None:
    for name in roles.ALL_GROUPS:
        Group.objects.get_or_create(name=name)
    for name, pairs in GROUP_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        wanted = [
            perm
            for app_label, codename in pairs
            for perm in Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        ]
        group.permissions.set(wanted)
    # Auditors read everything in the domain, history included, and change nothing.
    auditors = Group.objects.get(name=roles.AUDITORS)
    auditors.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=DOMAIN_APPS, codename__startswith="view_"
        )
    )
