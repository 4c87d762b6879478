"""Settings of the REST API under /api/v1/ (DRF, simplejwt, drf-spectacular)."""

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
