"""Factories of the core's tracked models (tests/core/test_every_model_audited.py)."""

from itertools import count

from lims.users import create_user, grant_role
from lims.users_models import RoleAssignment

_n = count(1)


def make_role_assignment(user, reason):
    account = create_user(username=f"holder-{next(_n)}", user=user, reason=reason)
    return grant_role(account, "QC", user=user, reason=reason)


FACTORIES = {RoleAssignment: make_role_assignment}
