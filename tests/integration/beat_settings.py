"""Settings for the beat the integration tests start: the same schedule, every few seconds."""

from config.settings.test import *  # noqa: F403
from config.settings.test import CELERY_BEAT_SCHEDULE

CELERY_BEAT_SCHEDULE = {
    name: {**entry, "schedule": 2.0} for name, entry in CELERY_BEAT_SCHEDULE.items()
}
