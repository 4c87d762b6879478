"""PostgreSQL guards of the ledger, whoever writes to it (the ORM, raw SQL, a shell):

- a DEFERRABLE INITIALLY DEFERRED constraint trigger checks, at commit, that every journal
  entry touched has at least two postings summing to zero per currency;
- a posting's currency must be its account's;
- postings and journal entries can be neither updated nor deleted (corrections are new
  entries). TRUNCATE, which fires no row trigger, still empties the tables in test teardown.

SQLite (the embedded default) has no constraint triggers: there `ledger.services.entry_post`,
the only write path, checks the same rules. This migration is a no-op on SQLite.
"""

from django.db import migrations

CREATE = r"""
CREATE FUNCTION ledger_entry_check_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target uuid;
    n integer;
    unbalanced text;
BEGIN
    IF TG_TABLE_NAME = 'ledger_posting' THEN target := NEW.entry_id; ELSE target := NEW.id; END IF;
    SELECT count(*) INTO n FROM ledger_posting WHERE entry_id = target;
    IF n < 2 THEN
        RAISE EXCEPTION 'ledger: journal entry % has % posting(s), at least two are required',
            target, n USING ERRCODE = 'check_violation';
    END IF;
    SELECT string_agg(currency || ' ' || total::text, ', ') INTO unbalanced FROM (
        SELECT currency, sum(amount) AS total FROM ledger_posting
        WHERE entry_id = target GROUP BY currency HAVING sum(amount) <> 0
    ) AS off;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger: journal entry % does not balance (%)', target, unbalanced
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER ledger_posting_balanced
    AFTER INSERT ON ledger_posting DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_check_balance();
CREATE CONSTRAINT TRIGGER ledger_entry_has_postings
    AFTER INSERT ON ledger_journalentry DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_check_balance();

CREATE FUNCTION ledger_posting_check_currency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.currency IS DISTINCT FROM (
        SELECT currency FROM ledger_account WHERE id = NEW.account_id
    ) THEN
        RAISE EXCEPTION 'ledger: posting currency % differs from its account''s', NEW.currency
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ledger_posting_currency
    BEFORE INSERT ON ledger_posting
    FOR EACH ROW EXECUTE FUNCTION ledger_posting_check_currency();

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger: % on % is refused; post a correcting entry instead',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER ledger_posting_immutable
    BEFORE UPDATE OR DELETE ON ledger_posting
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entry_immutable
    BEFORE UPDATE OR DELETE ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_posting_immutable ON ledger_posting;
DROP FUNCTION IF EXISTS ledger_refuse_change();
DROP TRIGGER IF EXISTS ledger_posting_currency ON ledger_posting;
DROP FUNCTION IF EXISTS ledger_posting_check_currency();
DROP TRIGGER IF EXISTS ledger_entry_has_postings ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_posting_balanced ON ledger_posting;
DROP FUNCTION IF EXISTS ledger_entry_check_balance();
"""


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_entry_sources")]

    operations = [migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP), elidable=False)]
