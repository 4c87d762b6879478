export DATABASE_URL=postgres://postgres@127.0.0.1:5432/staybook_security2
unset REDIS_URL CI
export DJANGO_SETTINGS_MODULE=config.settings.test
