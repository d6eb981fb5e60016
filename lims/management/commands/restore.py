"""``manage.py restore <folder>``: into an empty, freshly migrated database; INSERT only; checks every hash
before and every count and file after (lims/backup.py). Runs ``verify_audit`` afterwards when it exists."""

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from lims.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by manage.py backup into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--database", default="default")
        parser.add_argument("--media-root", default=None, help="where the documents go (default MEDIA_ROOT)")

    def handle(self, *args, folder, database, media_root, **options):
        try:
            inserted = restore(folder, using=database, media_root=media_root)
        except BackupError as exc:
            raise CommandError(f"restore refused: {exc}") from exc
        self.stdout.write(f"{sum(inserted.values())} rows restored; counts and hashes verified")
        if "verify_audit" in get_commands() and database == "default":
            call_command("verify_audit", stdout=self.stdout)
