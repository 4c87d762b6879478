"""Who may manage a listing: its host, or staff holding the change permission. Who may create
one for someone else: staff holding the add and change permissions (anyone may list their
own home and so become a host)."""

from common.errors import NotFound, NotPermitted


def can_manage_listing(listing, user) -> bool:
    if not user or not user.is_authenticated:
        return False
    if listing.host_id == user.pk:
        return True
    return user.is_staff and user.has_perm("listings.change_listing")


def ensure_can_manage_listing(listing, user) -> None:
    if can_manage_listing(listing, user):
        return
    # Others' drafts stay invisible; published listings exist but are not theirs to change.
    if listing.status != "published":
        raise NotFound()
    raise NotPermitted("Only the listing's host can do this.", code="not_listing_host")


def can_list_for_others(actor) -> bool:
    """Whether `actor` may create listings for other people (the admin's host picker, an
    import's host_email column)."""
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.is_staff
        and actor.has_perm("listings.add_listing")
        and actor.has_perm("listings.change_listing")
    )


def ensure_can_create_listing(actor, host) -> None:
    """The one rule for creating a listing, used by the admin, the import, REST and GraphQL."""
    if actor is None or not actor.is_authenticated:
        raise NotPermitted("Log in to list a home.", code="not_authenticated")
    if host is not None and host.pk == actor.pk:
        return
    if not can_list_for_others(actor):
        raise NotPermitted(
            "Only staff can create a listing for another host.", code="not_listing_host"
        )
