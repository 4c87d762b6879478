"""Gunicorn settings for the container (docker/entrypoint.sh passes this file with --config).

Every value can be tuned from the environment without rebuilding the image.
"""

import multiprocessing
import os

bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]

# Sync workers: the views are short and database-bound. The default follows gunicorn's
# 2 * cores + 1 advice, capped so a large host does not exhaust PostgreSQL connections.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Time for in-flight requests after SIGTERM; keep it below the container's stop grace period
# (compose.yaml gives web 30s) or the runtime kills the workers mid-request.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5

# Recycle workers now and then so a slow leak cannot grow forever; jitter avoids restarting
# them all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = 100

# Heartbeat files in memory: /tmp may be a slow or read-only layer in a container.
worker_tmp_dir = "/dev/shm"

# The control socket (gunicornc) would need a writable $HOME, which the app user does not have,
# and containers are managed through the orchestrator instead.
control_socket_disable = True

# Logs to stdout/stderr, where the container runtime collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
