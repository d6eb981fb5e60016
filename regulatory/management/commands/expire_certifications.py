"""Move certifications whose validity ended to ``expired`` (run daily, e.g. from cron). Eligibility already goes by
the validity dates; this keeps the register's status truthful and records who (the system user) and why."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from regulatory import services


class Command(BaseCommand):
    help = "Mark active or suspended certifications whose valid_until has passed as expired."

    def add_arguments(self, parser):
        parser.add_argument("--as-user", default="admin", help="the account recorded as acting (default: admin)")

    def handle(self, *args, as_user, **options):
        user = get_user_model().objects.filter(username=as_user, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {as_user!r} to record as acting.")
        count = services.expire_due_certifications(user=user, today=timezone.localdate())
        self.stdout.write(f"{count} certification(s) expired")
