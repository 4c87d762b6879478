"""Local development: `make run`. Debug on, permissive hosts."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
GRAPHIQL = env.bool("GRAPHIQL", default=DEBUG)  # the in-browser GraphQL IDE at /graphql/

if not REDIS_URL:  # noqa: F405
    # `make run` is three processes (web, worker, beat): a cache in one process's memory would
    # not see the worker's invalidations (an expired hold would stay "booked" on the web side
    # until its entry expired). Files under var/cache are shared by all three.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),  # noqa: F405
        }
    }
