"""Refusal codes of messaging (conversations and messages).

The values are what clients switch on: never change one. Codes every domain shares are in
common.errors.CommonErrorCode; tests/test_error_codes.py keeps this enum complete."""

from common.errors import ErrorCode


class MessagingErrorCode(ErrorCode):
    """Why messaging can refuse (`DomainError.code`)."""

    LISTING_OR_BOOKING = "listing_or_booking"
    MESSAGE_EMPTY = "message_empty"
    MESSAGE_TOO_LONG = "message_too_long"
    NOT_A_PARTICIPANT = "not_a_participant"
    OWN_LISTING = "own_listing"
