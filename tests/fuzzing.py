"""What the REST and GraphQL fuzz tests share: calling the WSGI app inside a test transaction,
and one set of deterministic hypothesis settings."""

import contextlib

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings

EXAMPLES_PER_MODE = 10

fuzz_settings = settings(
    max_examples=EXAMPLES_PER_MODE,
    derandomize=True,  # the same inputs on every run: no flaky CI
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: we only report
    suppress_health_check=list(HealthCheck),
)


@contextlib.contextmanager
def wsgi_connection_kept_open():
    """Calling the WSGI app directly fires request_started/finished, whose handler closes the
    connection (and with it the test's transaction on PostgreSQL). Django's test client
    disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
