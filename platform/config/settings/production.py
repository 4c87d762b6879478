"""Production: refuses to start without the settings that must never have a default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

for _required in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
    if not env.str(_required, default=""):
        raise ImproperlyConfigured(f"{_required} must be set in production.")

if env("PAYMENT_PROVIDER", default="simulated") == "stripe":
    for _required in ("STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"):
        if not env.str(_required, default=""):
            raise ImproperlyConfigured(f"{_required} must be set when PAYMENT_PROVIDER=stripe.")

SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DEBUG = False
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# HSTS for a year, subdomains included, and eligible for the browsers' preload list: every
# subdomain must then serve HTTPS. Turn the last two off (false) for a domain where that is not
# true yet; `manage.py check --deploy` warns about each one that is off.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Do not publish the GraphQL schema to anyone who asks; opt in with GRAPHQL_INTROSPECTION=true.
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", default=False)

# One JSON object per log line, for the log collector (LOG_FORMAT=console to read them by eye).
LOGGING = logging_config(LOG_LEVEL, env("LOG_FORMAT", default="json"))  # noqa: F405
