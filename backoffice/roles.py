"""Which back-office role a person acts in. One answer per request, in a fixed precedence:
staff (is_staff or superuser) > moderator > auditor > host. Everything else is refused."""

from enum import StrEnum

from accounts import roles


class Role(StrEnum):
    STAFF = "staff"
    MODERATOR = "moderator"
    AUDITOR = "auditor"
    HOST = "host"
    NONE = "none"


def role_of(user) -> Role:
    if user is None or not user.is_authenticated or not user.is_active:
        return Role.NONE
    if user.is_staff or user.is_superuser:
        return Role.STAFF
    if roles.is_moderator(user):
        return Role.MODERATOR
    if roles.is_auditor(user):
        return Role.AUDITOR
    if roles.is_host(user):
        return Role.HOST
    return Role.NONE


def request_role(request) -> Role:
    """The role of the request's user, computed once per request."""
    role = getattr(request, "_backoffice_role", None)
    if role is None:
        role = role_of(getattr(request, "user", None))
        request._backoffice_role = role
    return role
