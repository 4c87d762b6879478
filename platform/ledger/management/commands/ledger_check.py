"""`python manage.py ledger_check`: reconcile the ledger; exits non-zero naming what disagrees."""

from django.core.management.base import BaseCommand, CommandError

from ledger.checks import ledger_disagreements
from ledger.models import JournalEntry


class Command(BaseCommand):
    help = (
        "Check that every journal entry balances, provider cash equals succeeded payments − "
        "succeeded refunds − paid payouts (our records and the simulated provider's), no host "
        "payable is negative and every succeeded payment, refund and paid payout has one entry."
    )

    def handle(self, *args, **options):
        findings = ledger_disagreements()
        for finding in findings:
            self.stderr.write(f"DISAGREES: {finding}")
        if findings:
            raise CommandError(f"ledger_check: {len(findings)} disagreement(s).")
        self.stdout.write(f"ledger_check: OK ({JournalEntry.objects.count()} entries).")
