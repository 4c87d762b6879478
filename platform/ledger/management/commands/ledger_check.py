"""`python manage.py ledger_check`: reconcile the ledger; exits non-zero naming what disagrees."""

from django.core.management.base import BaseCommand, CommandError

from ledger.checks import host_payables_owed_back, ledger_disagreements
from ledger.models import JournalEntry


class Command(BaseCommand):
    help = (
        "Check that every journal entry balances, provider cash equals succeeded payments − "
        "succeeded refunds − paid payouts (our records and the simulated provider's), no host "
        "payable agrees with our records (hosts who owe money back after a refund of a paid-out "
        "booking are listed, not errors) and every succeeded payment, refund and paid payout has "
        "one entry."
    )

    def handle(self, *args, **options):
        for host, currency, amount in host_payables_owed_back():
            self.stdout.write(
                f"NOTE: {host} owes {amount} {currency} back (a refund after their payout); "
                "their next payouts are reduced by it."
            )
        findings = ledger_disagreements()
        for finding in findings:
            self.stderr.write(f"DISAGREES: {finding}")
        if findings:
            raise CommandError(f"ledger_check: {len(findings)} disagreement(s).")
        self.stdout.write(f"ledger_check: OK ({JournalEntry.objects.count()} entries).")
