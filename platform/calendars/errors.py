"""Refusal codes of calendars (host blocks, prices and closed nights, channel feeds).

The values are what clients switch on: never change one. Codes every domain shares are in
common.errors.CommonErrorCode; tests/test_error_codes.py keeps this enum complete."""

from common.errors import ErrorCode


class CalendarErrorCode(ErrorCode):
    """Why calendars can refuse (`DomainError.code`)."""

    DATES_UNAVAILABLE = "dates_unavailable"
    FEED_EXISTS = "feed_exists"
    FEED_URL_INVALID = "feed_url_invalid"
    INVALID_PRICE = "invalid_price"
    NOT_LISTING_HOST = "not_listing_host"
    NOTHING_TO_SET = "nothing_to_set"
    PAST_DATES = "past_dates"
    TOO_MANY_FEEDS = "too_many_feeds"
