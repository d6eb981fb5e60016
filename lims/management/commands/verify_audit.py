"""``manage.py verify_audit``: recompute the hash chain of every history table and of the signatures, report
each break (table, id, what is wrong) and record the run. Exit status 1 when the trail is not intact."""

import json
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Verify the hash chains of the audit trail and the signatures (tamper evidence)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the result as JSON (API.md body)")
        parser.add_argument("--quiet", action="store_true", help="no progress lines")

    def handle(self, **options):
        from lims.integrity import run_verification

        def progress(table, rows):
            if not options["quiet"] and not options["json"]:
                self.stderr.write(f"  {table}: {rows:,} rows checked so far")

        run, result = run_verification(progress=progress)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            for b in result.breaks:
                self.stdout.write(f"BREAK {b['table']} #{b['id']}: {b['detail']}")
            status = "intact" if result.ok else f"NOT intact ({len(result.breaks)} break(s))"
            self.stdout.write(f"{result.rows_checked:,} rows in {result.tables} tables checked: {status}")
        if not result.ok:
            sys.exit(1)
