"""The recovery sweep: every minute, each app re-dispatches its own work that is stuck in an
intermediate state (settings.RECOVERY_SWEEPS lists the functions). A lost broker message, a
broker outage or a killed worker then delays work; it never loses it."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def recovery_sweep() -> dict[str, int]:
    """Run every registered sweep; one failing does not stop the others. Returns the count
    each one recovered (-1 for a sweep that raised)."""
    results: dict[str, int] = {}
    for path in settings.RECOVERY_SWEEPS:
        try:
            results[path] = int(import_string(path)() or 0)
        except Exception:
            logger.exception("Recovery sweep %s failed", path)
            results[path] = -1
        else:
            if results[path]:
                logger.info("Recovery sweep %s re-dispatched %s item(s)", path, results[path])
    return results
