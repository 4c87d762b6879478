"""Who is asking: the user the bearer token named (set by the view), or anonymous."""

from .errors import NotAuthenticated


def current_user(info):
    user = getattr(info.context, "user", None)
    return user if user is not None and user.is_authenticated else None


def require_user(info):
    user = current_user(info)
    if user is None:
        raise NotAuthenticated()
    return user
