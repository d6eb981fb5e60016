"""Issue #14: the batch list's search by any part of a lot number (``icontains``), served by a trigram index on
PostgreSQL (``pg_trgm``) on the expression Django compares (``UPPER(lot_number::text) LIKE UPPER('%q%')``).
Nothing on SQLite (no trigram index there; its batch table is small enough to scan: 50 k rows in five years)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "production_batch_lot_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON production_batch "
                              "USING gin ((UPPER(lot_number::text)) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0010_name_zh"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop),
    ]
