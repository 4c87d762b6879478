"""Roles are Django groups (plus is_staff/is_superuser), so the back-office and the APIs can
check them with ordinary permissions. Everyone is a guest; the groups add capabilities."""

HOSTS = "Hosts"
MODERATORS = "Moderators"
AUDITORS = "Auditors"
ALL_GROUPS = (HOSTS, MODERATORS, AUDITORS)


def in_group(user, name: str) -> bool:
    if not user or not user.is_authenticated:
        return False
    # Cache per user object: the back-office asks this many times per page.
    cache = user.__dict__.setdefault("_group_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user.__dict__["_group_names"] = cache
    return name in cache


def is_host(user) -> bool:
    return in_group(user, HOSTS)


def is_moderator(user) -> bool:
    return bool(
        user and user.is_authenticated and (user.is_superuser or in_group(user, MODERATORS))
    )


def is_auditor(user) -> bool:
    return in_group(user, AUDITORS)
