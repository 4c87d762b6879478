"""Refusal codes of bookings (stays, answers, cancellations).

The values are what clients switch on: never change one. Codes every domain shares are in
common.errors.CommonErrorCode; tests/test_error_codes.py keeps this enum complete."""

from common.errors import ErrorCode


class BookingErrorCode(ErrorCode):
    """Why bookings can refuse (`DomainError.code`)."""

    AMOUNT_MISMATCH = "amount_mismatch"
    BOOKING_EXPIRED = "booking_expired"
    BOOKING_NOT_FOUND = "booking_not_found"
    DATES_UNAVAILABLE = "dates_unavailable"
    GUESTS_EXCEED_CAPACITY = "guests_exceed_capacity"
    GUESTS_INVALID = "guests_invalid"
    INVALID_STATUS = "invalid_status"
    LISTING_NOT_BOOKABLE = "listing_not_bookable"
    MAX_NIGHTS = "max_nights"
    MIN_NIGHTS = "min_nights"
    NOT_LISTING_HOST = "not_listing_host"
    OWN_LISTING = "own_listing"
    PAST_DATES = "past_dates"
    TOO_FAR_AHEAD = "too_far_ahead"
