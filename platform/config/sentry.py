"""Error reporting with Sentry, only when SENTRY_DSN is set (nothing is sent otherwise)."""


def init_sentry(env) -> bool:
    dsn = env("SENTRY_DSN", default="")
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=None),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        # Guests' and hosts' personal data (emails, IPs, bodies) stay out of the reports.
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
    return True
