from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Back-office"

    def ready(self):
        # The dashboard's money figures come from payouts, a domain above bookings and apart
        # from reviews (the import contracts), so bookings.kpis cannot import it: the dashboard's
        # owner composes them here, and beat stores them with the other KPIs.
        from bookings.kpis import register_money_figure
        from payouts.selectors import money_received, payouts_due

        register_money_figure(
            "money_received",
            lambda *, window, host: money_received(start=window.start, end=window.end, host=host),
        )
        register_money_figure("payouts_due", lambda *, window, host: payouts_due(host=host))
