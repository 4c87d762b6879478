"""Input checks both APIs apply the same way (same code, same message), so a client gets the
same refusal through REST and GraphQL. Business rules stay in the core; these only bound what
an interface accepts before calling it."""


def has_lone_surrogate(value) -> bool:
    """JSON can carry UTF-16 halves ("\\ud800") that are not text: no database can store them,
    so both APIs refuse them up front instead of failing in the driver."""
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_lone_surrogate(v) for v in value)
    return False
