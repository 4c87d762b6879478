"""The test suite. Same database/cache selection as base (SQLite unless DATABASE_URL is set)."""

from .base import *  # noqa: F403
from .base import env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
# Tasks run in-process, except in the workers the integration tests start (tests/integration).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)

# Uploaded and generated files go to a throwaway folder, never into the working tree.
import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="staybook-test-media-")

# Serve static files straight from the finders (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Channel sync never reaches past this machine in tests (fixtures are served on 127.0.0.1).
CHANNEL_SYNC_ONLY_LOOPBACK = True
# Test-only pause points (common.pause_points): the integration tests stop a real worker at a
# precise step to SIGKILL it there. Only this settings module defines the setting.
TEST_PAUSE_POINTS_DIR = env("STAYBOOK_TEST_PAUSE_POINTS_DIR", default=None)
