"""Settings of the served product during `make bench`: production's, plus what a benchmark on
one machine needs. Never used outside bench/.

- Production settings (DEBUG off, JSON logs, WhiteNoise, the same middleware and caches), with
  plain HTTP on loopback: no SSL redirect and no secure-only cookies.
- Static files without the manifest, so no collectstatic (15 s of CPU) is needed to render the
  back-office; a manifest lookup is a dictionary read, nothing a page's timing would show.
- The API throttles stay in the path (their Redis round trip is part of a request's cost) but
  with budgets a benchmark cannot exhaust (the environment sets them, see bench/run.py).
- bench.urls: the product's URLs plus one constant JSON view, the baseline of the HTTP rows.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
