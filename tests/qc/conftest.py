"""A product with release specifications (numeric, attribute, AQL) and a batch awaiting QC, made through the
services; helpers to record, review and approve an inspection."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from qc import services
from tests.conftest import sig
from tests.qc.factories import make_batch, make_line, make_product, make_spec


@pytest.fixture
def kit(production_user, qc_user):
    user = production_user
    product = make_product(user)
    line = make_line(user)
    specs = SimpleNamespace(
        flow=make_spec(qc_user, product=product, code="FLOW", name="Flow time", lower=Decimal("1"),
                       upper=Decimal("5"), unit="min"),
        neg=make_spec(qc_user, product=product, code="NEG", name="Negative panel all negative", kind="attribute",
                      lower=None, upper=None, unit=""),
        aql=make_spec(qc_user, product=product, code="AQL", name="Visual AQL", kind="attribute", lower=None,
                      upper=None, unit="", aql="1.0"),
    )
    batch = make_batch(user, product=product, line=line, made=3200)
    return SimpleNamespace(product=product, line=line, specs=specs, batch=batch, user=user)


def passing_results(specs):
    return [{"specification": specs.flow, "value": Decimal("3")},
            {"specification": specs.neg, "passed": True},
            {"specification": specs.aql, "defects": 0}]


@pytest.fixture
def approved(kit, qc_user, admin_user, qa_user):
    """A release inspection of the kit's batch with every result passing: recorded by QC, reviewed by admin,
    approved by QA (so QA may not release it: use ``releaser``)."""

    def make(results=None, *, recorder=qc_user, reviewer=admin_user, approver=qa_user):
        inspection = services.record_inspection(batch=kit.batch, stage="release", lot_size=3200, aql="1.0",
                                                results=results or passing_results(kit.specs), user=recorder,
                                                reason="release testing")
        services.review_inspection(inspection, **sig(reviewer), user=reviewer, reason="checked")
        return services.approve_inspection(inspection, **sig(approver), user=approver, reason="approved")

    return make


@pytest.fixture
def releaser(user_factory):
    """A second QA person: did not record or review anything."""
    return user_factory("qa2", "QA")
