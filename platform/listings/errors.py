"""Refusal codes of listings (listing writes, photos, search filters and imports).

The values are what clients switch on: never change one. Codes every domain shares are in
common.errors.CommonErrorCode; tests/test_error_codes.py keeps this enum complete."""

from common.errors import ErrorCode


class ListingErrorCode(ErrorCode):
    """Why listings can refuse (`DomainError.code`)."""

    CURRENCY_REQUIRED = "currency_required"
    DUPLICATE_EXTERNAL_ID = "duplicate_external_id"
    GUESTS_INVALID = "guests_invalid"
    IMPORT_FILE_COLUMNS = "import_file_columns"
    IMPORT_FILE_EMPTY = "import_file_empty"
    IMPORT_FILE_ENCODING = "import_file_encoding"
    IMPORT_FILE_FORMAT = "import_file_format"
    IMPORT_FILE_INVALID = "import_file_invalid"
    IMPORT_FILE_TOO_BIG = "import_file_too_big"
    IMPORT_HAS_INVALID_ROWS = "import_has_invalid_rows"
    INVALID_CURRENCY = "invalid_currency"
    INVALID_FILTER = "invalid_filter"
    INVALID_HOST = "invalid_host"
    INVALID_NIGHTS = "invalid_nights"
    INVALID_NUMBER = "invalid_number"
    INVALID_STATUS = "invalid_status"
    INVALID_TIME_ZONE = "invalid_time_zone"
    LISTING_NOT_FOUND = "listing_not_found"
    LISTING_SUSPENDED = "listing_suspended"
    NOT_LISTING_HOST = "not_listing_host"
    PHOTO_FORMAT = "photo_format"
    PHOTO_INVALID = "photo_invalid"
    PHOTO_TOO_LARGE = "photo_too_large"
    PHOTO_TOO_MANY_PIXELS = "photo_too_many_pixels"
    POSITION_INVALID = "position_invalid"
    TOO_MANY_AMENITIES = "too_many_amenities"
    TOO_MANY_PHOTOS = "too_many_photos"
    UNKNOWN_AMENITY = "unknown_amenity"
