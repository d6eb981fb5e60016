"""``manage.py backup <folder>``: database rows (history and signatures included), uploaded documents and a
manifest with SHA-256 of every file (lims/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from lims.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and MEDIA_ROOT into an empty folder, with a SHA-256 manifest."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--database", default="default")

    def handle(self, *args, folder, database, **options):
        try:
            manifest = backup(folder, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(m["rows"] for m in manifest["models"])
        self.stdout.write(f"{rows} rows of {len(manifest['models'])} models and {len(manifest['media'])} files "
                          f"backed up to {folder}")
