#!/bin/sh
# The container's entrypoint: the first argument picks the role, so one image runs everything.
#   web            apply migrations (unless MIGRATE_ON_START=0), load the demo data if
#                  SEED_DEMO=1, then serve with gunicorn
#   worker         celery worker
#   beat           celery beat (periodic tasks)
#   manage ARGS    any manage.py command, e.g. `manage createsuperuser`
#   anything else  executed as given, e.g. `sh` for a shell
# Every role ends in `exec`, so the server (not this shell) is PID 1 and receives SIGTERM.
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
  web)
    # Fine for one web container. With several replicas set MIGRATE_ON_START=0 and run
    # `manage migrate` once per release instead, so replicas never race on migrations.
    if [ "${MIGRATE_ON_START:-1}" = "1" ]; then
      python manage.py migrate --noinput
    fi
    # A demo stack only: seed_demo refuses production settings, so this explicit opt-in runs
    # it with the development ones (same database). It changes nothing on a second start.
    if [ "${SEED_DEMO:-0}" = "1" ]; then
      DJANGO_SETTINGS_MODULE=config.settings.dev python manage.py seed_demo
    fi
    exec gunicorn --config "$here/gunicorn.conf.py" "$@" config.wsgi:application
    ;;
  worker)
    exec celery -A config worker --loglevel "${LOG_LEVEL:-INFO}" "$@"
    ;;
  beat)
    # The schedule file goes to /tmp: the code directory is read-only for the app user.
    exec celery -A config beat --loglevel "${LOG_LEVEL:-INFO}" \
      --schedule "${CELERY_BEAT_SCHEDULE:-/tmp/celerybeat-schedule}" "$@"
    ;;
  manage)
    exec python manage.py "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
