import resource
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seed import seed_bulk, seed_demo


class Command(BaseCommand):
    help = "Load the deterministic demo data (idempotent). --listings/--bookings add bulk data."
    requires_system_checks = []  # data loading does not depend on the interfaces' URLconfs

    def add_arguments(self, parser):
        parser.add_argument("--listings", type=int, default=0, help="Bulk listings to add.")
        parser.add_argument("--bookings", type=int, default=0, help="Bulk bookings to add.")

    def handle(self, *args, listings, bookings, **options):
        if settings.SETTINGS_MODULE.endswith(".production"):
            raise CommandError("seed_demo never runs under production settings.")
        if listings < 0 or bookings < 0:
            raise CommandError("Counts must be positive.")
        report = seed_demo()
        verb = "Loaded" if report.created else "Demo data already present, nothing changed:"
        self.stdout.write(f"{verb} {report.counts}")
        if listings or bookings:
            if bookings and not listings:
                raise CommandError("--bookings needs --listings to spread the stays over.")
            started = time.perf_counter()
            added = seed_bulk(listings=listings, bookings=bookings)
            elapsed = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
            self.stdout.write(f"Added {added} in {elapsed:.1f}s (peak memory {peak:.0f} MiB)")
