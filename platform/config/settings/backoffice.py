"""Settings of the back-office (django-unfold admin at /admin/)."""

UNFOLD = {
    "SITE_TITLE": "StayBook back-office",
    "SITE_HEADER": "StayBook",
}
