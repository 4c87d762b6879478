"""Refusal codes of payments (paying, refunds and webhooks).

The values are what clients switch on: never change one. Codes every domain shares are in
common.errors.CommonErrorCode; tests/test_error_codes.py keeps this enum complete."""

from common.errors import ErrorCode


class PaymentErrorCode(ErrorCode):
    """Why payments can refuse (`DomainError.code`)."""

    ALREADY_PAID = "already_paid"
    BOOKING_EXPIRED = "booking_expired"
    NOT_PAYABLE = "not_payable"
    PAYMENT_IN_PROGRESS = "payment_in_progress"
    PAYMENT_METHOD_INVALID = "payment_method_invalid"
    PAYMENT_NOT_REFUNDABLE = "payment_not_refundable"
    REASON_REQUIRED = "reason_required"
    REFUND_AMOUNT_INVALID = "refund_amount_invalid"
    REFUND_ALREADY_RETRIED = "refund_already_retried"
    REFUND_EXCEEDS_REFUNDABLE = "refund_exceeds_refundable"
    REFUND_NOT_FAILED = "refund_not_failed"
    WEBHOOK_REFUSED = "webhook_refused"

    # A provider's refusal of a charge (Payment.failure_code): the simulated provider's codes
    # and Stripe's common decline codes. Another provider code is answered as payment_failed
    # (the payment itself keeps the provider's code).
    AUTHENTICATION_REQUIRED = "authentication_required"
    CARD_DECLINED = "card_declined"
    CARD_NOT_SUPPORTED = "card_not_supported"
    DO_NOT_HONOR = "do_not_honor"
    EXPIRED_CARD = "expired_card"
    FRAUDULENT = "fraudulent"
    GENERIC_DECLINE = "generic_decline"
    INCORRECT_CVC = "incorrect_cvc"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    INVALID_PAYMENT_METHOD = "invalid_payment_method"
    LOST_CARD = "lost_card"
    PAYMENT_FAILED = "payment_failed"
    PROCESSING_ERROR = "processing_error"
    STOLEN_CARD = "stolen_card"


def charge_refusal_code(failure_code: str) -> PaymentErrorCode:
    """The refusal code a client is told for a failed charge."""
    try:
        return PaymentErrorCode(failure_code)
    except ValueError:
        return PaymentErrorCode.PAYMENT_FAILED
