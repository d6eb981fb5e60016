"""UDI data export from the product and batch master — nothing retyped (IVDR Art. 26, Annex VI): device data
(UDI-DI = the GTIN, Basic UDI-DI, risk class, notified body, certificates) with the production identifiers of its
lots as EUDAMED-style JSON, and a Turkey ÜTS-style unit notification CSV. Both are validated against the schemas
the project keeps in ``regulatory/schemas/`` (JSON Schema 2020-12, checked with ``jsonschema``) before they are
offered: an export that does not validate is refused with every problem named."""

import csv
import io
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from lims.errors import DomainError

SCHEMAS = Path(__file__).resolve().parent / "schemas"
DEVICE_SCHEMA = "udi-device.schema.json"
UTS_SCHEMA = "uts-unit-notification.schema.json"
UTS_COLUMNS = ["UNO", "LNO", "SNO", "URT", "SKT", "ADT"]


@cache
def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def problems(data, name: str) -> list[str]:
    """Every place ``data`` breaks the schema, as "path: message" (empty when valid)."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)
    found = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = "/".join(str(p) for p in error.absolute_path) or "(root)"
        found.append(f"{path}: {error.message}")
    return found


def _released_lots(product):
    from production.models import Batch

    return (Batch.objects.filter(product=product, status=Batch.Status.RELEASED)
            .order_by("manufactured_on", "lot_number"))


def device_record(product) -> dict:
    from regulatory.models import Certification

    certs = list(Certification.objects.filter(product=product).select_related("market", "kind")
                 .order_by("market__code", "kind__code", "valid_from"))
    body = None
    if product.needs_notified_body:
        ivdr = next((c for c in certs if c.kind.code == "ivdr_certificate" and c.issuing_body), None)
        body = {"number": str(settings.LIMS_NOTIFIED_BODY), "name": ivdr.issuing_body if ivdr else ""}
    return {
        "basicUdiDi": product.basic_udi_di,
        "udiDi": product.gtin,
        "issuingEntity": "GS1",
        "reference": product.code,
        "tradeName": product.name,
        "riskClass": f"CLASS_{product.ivdr_class}",
        "regulation": "IVDR",
        "notifiedBody": body,
        "certificates": [{"kind": c.kind.code, "number": c.number, "market": c.market.code,
                          "issuingBody": c.issuing_body, "validFrom": c.valid_from.isoformat(),
                          "validUntil": c.valid_until.isoformat() if c.valid_until else None, "status": c.status}
                         for c in certs],
        "testsPerKit": product.tests_per_kit,
        "storage": {"minC": float(product.storage_min_c), "maxC": float(product.storage_max_c)},
        "shelfLifeMonths": product.shelf_life_months,
        "lots": [{"lotNumber": b.lot_number, "manufacturedOn": b.manufactured_on.isoformat(),
                  "expiryDate": b.expiry_date.isoformat(), "quantityReleased": b.quantity_released,
                  "status": b.status, "kind": b.kind} for b in _released_lots(product)],
    }


def device_export(products) -> dict:
    """The EUDAMED-style document of ``products``; refused (409 ``udi_invalid``) with every schema problem."""
    manufacturer = settings.LIMS_MANUFACTURER
    data = {"schemaVersion": "1.0", "generatedAt": timezone.now().isoformat(timespec="seconds"),
            "manufacturer": {"name": manufacturer["name"], "address": manufacturer["address"],
                             "country": manufacturer["country"]},
            "devices": [device_record(p) for p in products]}
    _refuse_invalid(data, DEVICE_SCHEMA, products)
    return data


def uts_rows(products) -> list[dict]:
    rows = []
    for product in products:
        for batch in _released_lots(product):
            if batch.quantity_released < 1:
                continue
            rows.append({"UNO": product.gtin, "LNO": batch.lot_number, "SNO": "",
                         "URT": batch.manufactured_on.isoformat(), "SKT": batch.expiry_date.isoformat(),
                         "ADT": batch.quantity_released})
    return rows


def uts_csv(products) -> str:
    """The ÜTS-style unit notification CSV (one row per released lot); every row is validated first."""
    rows = uts_rows(products)
    found = [f"{_('row')} {n}: {p}" for n, row in enumerate(rows, start=1) for p in problems(row, UTS_SCHEMA)]
    if found:
        raise DomainError(_("The ÜTS export does not match its schema."), "udi_invalid",
                          reasons=[{"code": "udi_invalid", "detail": p} for p in found])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=UTS_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _refuse_invalid(data, name, products):
    found = problems(data, name)
    if not found:
        return
    codes = {str(i): p.code for i, p in enumerate(products)}

    def named(problem):  # "devices/0/basicUdiDi: …" → "product KIT-01: basicUdiDi: …"
        parts = problem.split("/", 2)
        if len(parts) == 3 and parts[0] == "devices" and parts[1] in codes:
            return _("product %(code)s: %(problem)s") % {"code": codes[parts[1]], "problem": parts[2]}
        return problem

    raise DomainError(_("The UDI export does not match its schema."), "udi_invalid",
                      reasons=[{"code": "udi_invalid", "detail": named(p)} for p in found])
