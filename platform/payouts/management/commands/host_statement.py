"""`python manage.py host_statement --host EMAIL --month YYYY-MM [--output FILE]`: a host's
monthly statement as CSV, read from the ledger."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from common.errors import DomainError
from payouts.statements import host_statement, statement_csv


class Command(BaseCommand):
    help = "Write a host's monthly statement (CSV, from the ledger) to stdout or --output."

    def add_arguments(self, parser):
        parser.add_argument("--host", required=True, help="The host's email address.")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--output", help="A file to write instead of stdout.")

    def handle(self, *args, host, month, output=None, **options):
        user = User.objects.filter(email__iexact=host.strip()).first()
        if user is None:
            raise CommandError(f"No user with the email {host!r}.")
        try:
            text = statement_csv(host_statement(host=user, month=month), host=user, month=month)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if output:
            with open(output, "w", newline="", encoding="utf-8") as handle:
                handle.write(text)
            self.stdout.write(f"Statement written to {output}.")
        else:
            self.stdout.write(text, ending="")
