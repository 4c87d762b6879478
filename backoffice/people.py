"""How the back-office names people, in one place.

Staff and auditors read who did what (names, email addresses, IPs); hosts and moderators read
first names only, never an email address (User.__str__ is the email, User.get_full_name falls
back to it).
"""

from django.utils.translation import gettext as _

from .roles import Role, request_role

NO_NAME = "(no name)"


def sees_identities(request) -> bool:
    """Staff and auditors read who did what (email, IP); everyone else reads first names."""
    return request_role(request) in (Role.STAFF, Role.AUDITOR)


def full_name(user) -> str:
    """First and last name, as a host reads a guest: never the email address."""
    return f"{user.first_name} {user.last_name}".strip() or NO_NAME


def name_or_email(user) -> str:
    """A person in a list staff read (search results): the name, else the email address."""
    return f"{user.first_name} {user.last_name}".strip() or user.email


def identity(user) -> str:
    """A person as staff and auditors read them: "Ada Admin <admin@example.com>"."""
    name = name_or_email(user)
    return name if name == user.email else f"{name} <{user.email}>"


def first_name(user) -> str:
    """A person as hosts and moderators see them in history: a first name, never an email
    address. Staff accounts are just "staff"."""
    if user is None:
        return "system"
    if user.is_staff or user.is_superuser:
        return "staff"
    return user.first_name or NO_NAME


def actor_words(user, actor_label: str) -> str:
    """Who made a recorded change, for staff and auditors: the account if it still exists,
    else the label recorded with the change ("user:<email>", "system:<job>")."""
    if user is not None:
        return identity(user)
    label = actor_label or ""
    if label.startswith("system:"):
        return _("System job: %(name)s") % {"name": label.removeprefix("system:")}
    return label.removeprefix("user:") or "—"


def actor_label(request, record) -> str:
    """Who made a historical change, for this viewer. `history_user` is select_related by the
    history querysets, so this adds no query per row."""
    if sees_identities(request):
        label = record.history_actor or str(record.history_user or _("unknown"))
        return f"{label} ({record.history_ip})" if record.history_ip else label
    if record.history_user_id is not None:
        return first_name(record.history_user)
    return "system" if (record.history_actor or "").startswith("system:") else str(_("unknown"))
