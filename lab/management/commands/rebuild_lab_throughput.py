"""``manage.py rebuild_lab_throughput``: recompute the throughput rollup (lab.models.ThroughputDay) from the
samples. The sample services keep it current; run this after loading samples some other way (a restore into a
database without the rollup, the benchmark's bulk load) or to check it (``--check``: compare, change nothing).
``--refresh`` only recomputes the periods the services marked stale (what the periodic task
``lab.refresh_throughput`` does every five minutes)."""

import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Recompute the lab throughput rollup from the samples."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Only compare the rollup with the samples; exit 1 when they differ.")
        parser.add_argument("--refresh", action="store_true",
                            help="Only recompute the periods marked stale since the last refresh.")

    def handle(self, *args, check=False, refresh=False, **options):
        from lab import rollup

        started = time.monotonic()
        if refresh:
            n = rollup.refresh()
            self.stdout.write(f"Refreshed {n} stale periods in {time.monotonic() - started:.1f} s.")
            return
        if check:
            differences = rollup.differences()
            if differences:
                raise CommandError(f"The rollup differs from the samples in {differences} day × assay rows.")
            self.stdout.write("The rollup equals the samples.")
            return
        n = rollup.rebuild()
        self.stdout.write(f"Rebuilt {n} day × assay rows in {time.monotonic() - started:.1f} s.")
