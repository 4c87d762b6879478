"""Refusal codes of wishlists.

The values are what clients switch on: never change one. Codes every domain shares are in
common.errors.CommonErrorCode; tests/test_error_codes.py keeps this enum complete."""

from common.errors import ErrorCode


class WishlistErrorCode(ErrorCode):
    """Why wishlists can refuse (`DomainError.code`)."""

    NAME_REQUIRED = "name_required"
    NAME_TOO_LONG = "name_too_long"
    TOO_MANY_WISHLISTS = "too_many_wishlists"
    WISHLIST_FULL = "wishlist_full"
    WISHLIST_NAME_TAKEN = "wishlist_name_taken"
