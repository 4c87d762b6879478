"""Who may manage a listing: its host, or staff holding the change permission."""

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
