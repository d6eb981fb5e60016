"""Seed the demo plant through the services, idempotently and with a fixed random seed (STYLE.md §7).

Each app contributes ``<app>/demo.py`` with ``seed(ctx)``; they run in the apps' import order. ``--full``
seeds the large volumes (a year of lab samples, months of clean-room readings) that take longer than a minute.
"""

import random
import time

from django.core.management.base import BaseCommand

from lims.registry import app_modules


class DemoContext:
    def __init__(self, stdout, full: bool, seed: int):
        self.stdout = stdout
        self.full = full
        self.random = random.Random(seed)
        self.users = {}

    def log(self, message: str):
        self.stdout.write(f"  {message}")


class Command(BaseCommand):
    help = "Create the demo users (password lims-demo) and the demo plant. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="seed the full volumes (slower)")
        parser.add_argument("--seed", type=int, default=20261122)

    def handle(self, *args, full=False, seed=20261122, **options):
        ctx = DemoContext(self.stdout, full, seed)
        for label, module in app_modules("demo"):
            started = time.monotonic()
            self.stdout.write(f"seeding {label} …")
            module.seed(ctx)
            self.stdout.write(f"  done in {time.monotonic() - started:.1f} s")
        from lims.notifications.delivery import deliver_pending

        # The inbox of the demo: what the seeded events told each role (e-mails follow from the worker).
        self.stdout.write(f"  {deliver_pending(mail=False)} notification event(s) delivered to the inboxes")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
