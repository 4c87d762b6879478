"""Suite-wide pytest configuration.

- Tests marked `postgres` need PostgreSQL; on SQLite they are skipped locally.
- Under CI=true nothing may be skipped: a skip fails the run, so PostgreSQL tests always run.
"""

import os

import pytest

# One cast of people for every test module (tests/people.py).
pytest_plugins = ["tests.people"]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    if _on_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if IN_CI and _skipped:
        session.config.get_terminal_writer().line(
            f"CI forbids skipped tests; {len(_skipped)} skipped: {_skipped[:10]}", red=True
        )
        session.exitstatus = 1
    if IN_CI and session.testscollected == 0:
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test starts with an empty cache (Redis in CI is shared between runs)."""
    from django.core.cache import cache

    cache.clear()
    yield
