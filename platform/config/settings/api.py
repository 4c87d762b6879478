"""Settings of the REST API under /api/v1/ (DRF, simplejwt, drf-spectacular).

Throttle rates come from the environment so the test suite (and a load test) can raise or lower
them without editing code; the defaults suit production.
"""

from datetime import timedelta

import environ

_env = environ.Env()

# Requests per period by throttle scope; read at request time by public_api.common.throttling.
API_THROTTLE_RATES = {
    "anon": _env("API_THROTTLE_ANON", default="100/min"),
    "user": _env("API_THROTTLE_USER", default="300/min"),
    # Login and registration: a brute-force guard, counted per client IP.
    "auth": _env("API_THROTTLE_AUTH", default="10/min"),
    # Refresh-token exchange, per client IP: looser (clients refresh every few minutes, and a
    # refresh token cannot be guessed), but separate so it never eats the login budget.
    "refresh": _env("API_THROTTLE_REFRESH", default="60/min"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["public_api.auth.JWTActorAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["public_api.rest.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "public_api.rest.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "public_api.rest.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "public_api.common.throttling.AnonThrottle",
        "public_api.common.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    # Money stays a decimal string ("120.00"), never a float.
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=_env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=_env.int("JWT_REFRESH_DAYS", default=7)),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": False,
    # Revocable tokens (accounts.tokens): refreshing rotates and blacklists the old refresh
    # token; tokens carry a hash of the password hash, so a password change ends them all.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "CHECK_REVOKE_TOKEN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "StayBook API",
    "DESCRIPTION": (
        "Public REST API for guests and hosts. Authenticate with `Authorization: Bearer <access>`"
        " from `POST /api/v1/auth/token/`. Errors: 400 `{field: [messages]}` (plus `code`), "
        "401/403/404 `{detail}`, 409/422 `{detail, code}`, 429 `{detail}` with `Retry-After`."
    ),
    "VERSION": "1.0.0",
    # Swagger UI and ReDoc from drf-spectacular-sidecar's static files (pinned by the lock),
    # never from a CDN: the docs work offline and load nothing from another host.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",  # the default, kept
        "public_api.rest.openapi.document_limits",
        # The refusal codes each operation can answer with.
        "public_api.rest.openapi.document_error_codes",
    ],
    # No call to the public validator (the CSP's connect-src/img-src would refuse it anyway).
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "BookingStatusEnum": "bookings.models.BookingStatus",
        "ListingStatusEnum": "listings.models.Listing.Status",
        "CancellationPolicyEnum": "listings.models.Listing.CancellationPolicy",
        "ReviewStatusEnum": "reviews.models.Review.Status",
        "PaymentStatusEnum": "payments.models.PaymentStatus",
        "RefundStatusEnum": "payments.models.RefundStatus",
        "RefundKindEnum": "payments.models.RefundKind",
    },
}
