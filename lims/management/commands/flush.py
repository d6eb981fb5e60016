"""``manage.py flush`` that still works with the audit trail's immutability triggers, for tests only.

The triggers refuse DELETE (SQLite) and TRUNCATE (PostgreSQL) on history and signature tables. A whole-database
purge is what test runs do between transactional tests (Django's TransactionTestCase and pytest-django call
this command); it runs inside ``lims.integrity.purging()``, which lets the triggers pass for the one
transaction of the purge. Outside the test settings the audit trail is never purged: the command refuses.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections


class Command(flush.Command):
    help = flush.Command.help + " Test settings only: the audit trail of a real database is never purged."

    def handle(self, **options):
        if not getattr(settings, "TESTING", False):
            raise CommandError("The audit trail (history and signatures) is never purged; flush runs under the "
                               "test settings only.")
        from lims.integrity import purging

        with purging(connections[options.get("database") or DEFAULT_DB_ALIAS]):
            return super().handle(**options)
