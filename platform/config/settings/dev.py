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

# runserver serves each request in a new thread, and a thread's persistent connection outlives
# it: with CONN_MAX_AGE=60, 8 clients for 10 s held 94 PostgreSQL connections ("too many
# clients"). Development closes the connection after each request.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)  # noqa: F405
