from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import connections


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL, nothing elsewhere.

    The embedded SQLite default has no EXCLUDE constraints; there the services serialise the
    check and the insert in one IMMEDIATE transaction instead (see settings.base).
    """

    def _applies(self, connection) -> bool:
        return connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return (
            super().constraint_sql(model, schema_editor)
            if self._applies(schema_editor.connection)
            else None
        )

    def create_sql(self, model, schema_editor):
        return (
            super().create_sql(model, schema_editor)
            if self._applies(schema_editor.connection)
            else None
        )

    def remove_sql(self, model, schema_editor):
        return (
            super().remove_sql(model, schema_editor)
            if self._applies(schema_editor.connection)
            else None
        )

    def validate(self, model, instance, exclude=None, using="default"):
        if self._applies(connections[using]):
            super().validate(model, instance, exclude=exclude, using=using)
