"""Create the role groups (their permissions are synchronised after every migrate: lims.apps._sync_roles)."""

from django.db import migrations

ROLES = ["Production", "QC", "QA", "Regulatory", "Incubator", "Lab", "Auditor", "Admin"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("lims", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
