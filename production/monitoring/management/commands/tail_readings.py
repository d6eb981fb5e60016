"""Follow a particle counter's growing CSV export and store its new rows as readings.

    manage.py tail_readings /data/counter-01.csv --user counter-01            # follow (poll every 5 s)
    manage.py tail_readings /data/counter-01.csv --user counter-01 --once     # what is there now, then exit

The byte offset read so far (and the header) is kept in ``<file>.offset`` so a restart continues where it
stopped. Only complete lines are read. Each poll's new rows are stored all or nothing; a bad chunk is reported
with its line numbers and skipped (it is not retried forever).
"""

import json
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from production.monitoring.csvfile import parse_rows
from production.monitoring.ingestion import RowErrors
from production.monitoring.services import ingest_readings


class Command(BaseCommand):
    help = "Follow a growing CSV file of readings (a particle counter's export) and store the new rows."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", default="production", help="the account the readings are recorded by")
        parser.add_argument("--once", action="store_true", help="process what is in the file now and exit")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between polls")
        parser.add_argument("--state", help="where to keep the offset (default: <path>.offset)")

    def handle(self, *args, path, user, once, interval, state, **options):
        source = Path(path)
        if not source.exists():
            raise CommandError(f"{source} does not exist")
        try:
            account = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no active user {user!r}") from None
        state_path = Path(state) if state else source.with_name(source.name + ".offset")
        saved = json.loads(state_path.read_text()) if state_path.exists() else {}
        offset, header, line = saved.get("offset", 0), saved.get("header"), saved.get("line", 1)
        failed = False
        while True:
            if source.stat().st_size < offset:  # the file was rotated or truncated: start again
                offset, header, line = 0, None, 1
            with source.open("rb") as handle:
                handle.seek(offset)
                chunk = handle.read()
            complete = chunk[: chunk.rfind(b"\n") + 1]
            if complete:
                text = complete.decode("utf-8-sig" if offset == 0 else "utf-8", errors="replace")
                had_header = header is not None
                try:
                    header, rows, numbers = parse_rows(text, first_line=line, header=header)
                    if rows:
                        result = ingest_readings(rows, user=account, reason=f"tail {source.name}",
                                                 label=lambda i, n=numbers: f"line {n[i]}")
                        self.stdout.write(f"{source.name}: {result['created']} stored, {result['duplicates']} "
                                          f"duplicates, {len(result['excursions'])} excursions changed")
                except RowErrors as exc:
                    failed = True
                    for key, messages in exc.fields.items():
                        self.stderr.write(f"{source.name} {key}: {' '.join(messages)}")
                    if header is None and not had_header:
                        break
                offset += len(complete)
                line += complete.count(b"\n")
                state_path.write_text(json.dumps({"offset": offset, "header": header, "line": line}))
            if once:
                break
            time.sleep(interval)
        if failed:
            raise CommandError("some rows were refused (see above); nothing of those chunks was stored")
