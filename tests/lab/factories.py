"""One factory per tracked model of the lab, through the services (history with user and reason):
``FACTORIES[Model](user, reason) -> instance``."""

import itertools
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from lab import services
from lab.models import Assay, Client, Sample, TubeLabelPrint
from lims.services import create_record

SHANGHAI = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def local(*args) -> datetime:
    """An aware datetime in the lab's local time (Asia/Shanghai)."""
    return datetime(*args, tzinfo=SHANGHAI)


def make_client(user, reason="new client", **fields):
    n = next(_seq)
    data = {"code": f"CL-{n:03d}", "name": f"Hospital {n}", "kind": Client.Kind.HOSPITAL, **fields}
    return create_record(Client, data, user=user, reason=reason)


def make_assay(user, reason="new assay", **fields):
    n = next(_seq)
    data = {"code": f"AS-{n:03d}", "name": f"Assay {n}", "method": "Immunochromatography", "tat_target_hours": 24,
            "price": Decimal("80.00"), **fields}
    return create_record(Assay, data, user=user, reason=reason)


def make_sample(user, reason="received", client=None, assay=None, **fields):
    row = {"client": client or make_client(user, reason), "assay": assay or make_assay(user, reason),
           "received_at": local(2026, 3, 2, 9, 0), **fields}
    [sample] = services.receive_samples([row], user=user, reason=reason)
    return sample


def make_tube_label_print(user, reason="tube label"):
    from lab.labels import print_tube_label

    return print_tube_label(make_sample(user, reason), 1, user=user, reason=reason)


FACTORIES = {
    TubeLabelPrint: make_tube_label_print,
    Client: make_client,
    Assay: make_assay,
    Sample: make_sample,
}
