"""Refusal codes of reviews (writing, moderating, responding).

The values are what clients switch on: never change one. Codes every domain shares are in
common.errors.CommonErrorCode; tests/test_error_codes.py keeps this enum complete."""

from common.errors import ErrorCode


class ReviewErrorCode(ErrorCode):
    """Why reviews can refuse (`DomainError.code`)."""

    COMMENT_TOO_LONG = "comment_too_long"
    RATING_INVALID = "rating_invalid"
    REASON_REQUIRED = "reason_required"
    RESPONSE_REQUIRED = "response_required"
    RESPONSE_TOO_LONG = "response_too_long"
    REVIEW_NOT_ALLOWED = "review_not_allowed"
