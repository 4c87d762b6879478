"""Refusal codes of accounts (registration, profile, passwords, tokens and sign-in).

The values are what clients switch on: never change one. Codes every domain shares are in
common.errors.CommonErrorCode; tests/test_error_codes.py keeps this enum complete."""

from common.errors import ErrorCode


class AccountErrorCode(ErrorCode):
    """Why accounts can refuse (`DomainError.code`)."""

    EMAIL_REQUIRED = "email_required"
    EMAIL_TAKEN = "email_taken"
    INVALID_CREDENTIALS = "invalid_credentials"
    INVALID_EMAIL = "invalid_email"
    INVALID_TOKEN = "invalid_token"
    LOCKED_OUT = "locked_out"
    REQUIRED = "required"
    SAME_PASSWORD = "same_password"
    TOKEN_INVALID = "token_invalid"
    WEAK_PASSWORD = "weak_password"
    WRONG_PASSWORD = "wrong_password"
