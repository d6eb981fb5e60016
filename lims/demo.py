"""Demo users: one per role, named after it, password ``lims-demo`` — for the demo only."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from lims.roles import ROLES, sync_roles

DEMO_PASSWORD = "lims-demo"
DEMO_USERS = {
    # username: (role, first name, last name)
    "production": ("Production", "Wei", "Zhang"),
    "qc": ("QC", "Li", "Chen"),
    "qa": ("QA", "Min", "Wang"),
    "qa2": ("QA", "Fang", "Zhou"),  # a second QA person: review and release by distinct people
    "regulatory": ("Regulatory", "Jing", "Liu"),
    "incubator": ("Incubator", "Hao", "Yang"),
    "lab": ("Lab", "Xiu", "Huang"),
    "auditor": ("Auditor", "Anna", "Schmidt"),
    "admin": ("Admin", "Admin", "User"),
}


def ensure_user(username, role, first, last, *, superuser=False):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={
        "first_name": first, "last_name": last, "email": f"{username}@demo.invalid"})
    user.first_name, user.last_name, user.is_active = first, last, True
    user.is_staff = superuser
    user.is_superuser = superuser
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user


def seed(ctx):
    sync_roles()
    for username, (role, first, last) in DEMO_USERS.items():
        assert role in ROLES
        ctx.users[username] = ensure_user(username, role, first, last, superuser=(username == "admin"))
    ctx.log(f"{len(DEMO_USERS)} demo users (password {DEMO_PASSWORD})")
