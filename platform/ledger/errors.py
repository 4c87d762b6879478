"""Refusal codes of ledger (journal entries).

The values are what clients switch on: never change one. Codes every domain shares are in
common.errors.CommonErrorCode; tests/test_error_codes.py keeps this enum complete."""

from common.errors import ErrorCode


class LedgerErrorCode(ErrorCode):
    """Why ledger can refuse (`DomainError.code`)."""

    LEDGER_UNBALANCED = "ledger_unbalanced"
