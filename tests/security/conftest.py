"""The world of records the security tests act on: one of each kind the API's paths refer to."""

import pytest


@pytest.fixture
def world(admin_user):
    return make_world(admin_user)


def make_world(admin_user):
    """One record of each kind the paths refer to, made through the factories (each app's FACTORIES)."""
    from tests.incubator.factories import FACTORIES as INCUBATOR
    from tests.lab.factories import FACTORIES as LAB
    from tests.labelling.factories import FACTORIES as LABELLING
    from tests.monitoring.factories import FACTORIES as MONITORING
    from tests.production.factories import FACTORIES as PRODUCTION
    from tests.qc.factories import FACTORIES as QC
    from tests.regulatory.factories import FACTORIES as REGULATORY

    factories = {**INCUBATOR, **LAB, **LABELLING, **MONITORING, **PRODUCTION, **QC, **REGULATORY}
    made = {}
    for model in factories:
        name = model.__name__
        if name in ("Project", "Client", "Assay", "Sample", "MonitoringPoint", "Excursion", "Product", "Material",
                    "RejectReason", "CleanRoom", "Line", "MaterialLot", "Batch", "Specification", "Inspection",
                    "Deviation", "PerformanceStudy", "Disposition", "Dossier", "Market", "CertificationKind",
                    "MarketRule", "Certification", "Shipment", "ControlMaterial", "ControlResult",
                    "BatchVerification", "Printer", "PrintJob"):
            made[name] = factories[model](admin_user, "corpus world")
    return made
