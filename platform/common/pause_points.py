"""Test-only pause points: an integration test stops a real worker at one precise step (money
charged but not yet recorded, an email accepted by the SMTP server but not yet marked sent) and
kills it there with SIGKILL.

Inert unless `settings.TEST_PAUSE_POINTS_DIR` is set, and only `config.settings.test` defines it
(from the environment variable STAYBOOK_TEST_PAUSE_POINTS_DIR); base, development and production
settings have no such setting (tests/test_runtime_settings.py checks production). When it is
set, `pause_point("name")` waits while the file `<dir>/name.pause` exists, after appending the
process id to `<dir>/name.reached` so the test knows which process to kill.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings


def pause_point(name: str) -> None:
    folder = getattr(settings, "TEST_PAUSE_POINTS_DIR", None)
    if not folder:
        return
    gate = Path(folder) / f"{name}.pause"
    if not gate.exists():
        return
    with open(Path(folder) / f"{name}.reached", "a") as reached:
        reached.write(f"{os.getpid()}\n")
    while gate.exists():
        time.sleep(0.05)
