"""Issue #14: the sample list's search by any part of a sample number, served by a trigram index on PostgreSQL
(``pg_trgm``) on the expression Django's ``icontains`` compares (``UPPER(barcode::text) LIKE UPPER('%q%')``).
SQLite has no such index: there the search matches a number's beginning on the barcode's ordinary unique index
(``lims.search``), so this migration does nothing on SQLite."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "lab_sample_barcode_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON lab_sample "
                              "USING gin ((UPPER(barcode::text)) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("lab", "0008_throughput_client_day"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop),
    ]
