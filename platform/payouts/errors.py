"""Refusal codes of payouts and statements.

The values are what clients switch on: never change one. Codes every domain shares are in
common.errors.CommonErrorCode; tests/test_error_codes.py keeps this enum complete."""

from common.errors import ErrorCode


class PayoutErrorCode(ErrorCode):
    """Why payouts and statements can refuse (`DomainError.code`)."""

    MONTH_INVALID = "month_invalid"
    PAYOUT_NOT_FAILED = "payout_not_failed"
    PAYOUT_NOT_SCHEDULED = "payout_not_scheduled"
