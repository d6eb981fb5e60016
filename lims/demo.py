"""Demo users: one per role, named after it, password ``lims-demo`` — for the demo only."""

from django.contrib.auth import get_user_model

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


def _bootstrap_admin():
    """The first administrator: nobody can act before it exists, so it is created as a recorded system write
    (as ``createsuperuser`` would); everything after goes through the services, acting as this admin."""
    User = get_user_model()
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User(username="admin", first_name="Admin", last_name="User", email="admin@demo.invalid",
                     is_staff=True, is_superuser=True)
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    return admin


def ensure_user(username, role, first, last, *, superuser=False, acting=None):
    """The demo account ``username`` with ``role``, active and with the demo password (idempotent)."""
    from lims import users

    User = get_user_model()
    reason = "demo account"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = users.create_user(username=username, first_name=first, last_name=last,
                                 email=f"{username}@demo.invalid", superuser=superuser, user=acting, reason=reason)
    elif not user.is_active:
        user = users.reactivate_user(user, user=acting, reason=reason)
    if not user.check_password(DEMO_PASSWORD):
        users.set_password(user, DEMO_PASSWORD, user=acting, reason=reason)
    if not user.groups.filter(name=role).exists():
        users.grant_role(user, role, user=acting, reason=reason)
    user.refresh_from_db()
    return user


def seed(ctx):
    sync_roles()
    admin = _bootstrap_admin()
    for username, (role, first, last) in DEMO_USERS.items():
        assert role in ROLES
        ctx.users[username] = ensure_user(username, role, first, last, superuser=(username == "admin"),
                                          acting=admin)
    ctx.log(f"{len(DEMO_USERS)} demo users (password {DEMO_PASSWORD})")
