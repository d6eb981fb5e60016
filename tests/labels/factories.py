"""Label data for the tests: a complete, valid kit and tube label, with any field changed by keyword."""

from __future__ import annotations

from datetime import date, datetime

from lab.labels import TubeLabelData
from production.labelling.label_templates import LabelData, ReceivingLabelData


def kit(**changes) -> LabelData:
    values = {
        "product_name": "SARS-CoV-2 Antigen Rapid Test (Colloidal Gold)",
        "product_name_zh": "新型冠状病毒抗原检测试剂盒（胶体金法）",
        "ref": "RAT-COV-25",
        "gtin": "09521234543213",
        "lot": "SC2611220101",
        "expiry": date(2027, 11, 30),
        "manufactured_on": date(2025, 11, 30),
        "tests_per_kit": 25,
        "storage_min_c": 2,
        "storage_max_c": 30,
        "manufacturer_name": "Hangzhou Example Biotech Co., Ltd.",
        "manufacturer_address": "No. 88 Example Road, Binjiang District, Hangzhou 310052, Zhejiang, China",
        "ifu_url_or_text": "www.example.com/ifu",
        "notified_body": "2797",
        "serial": "C000123",
        "resolver_base_url": "https://id.example.com",
    }
    return LabelData(**(values | changes))


def tube(**changes) -> TubeLabelData:
    values = {
        "barcode": "LS-2025-000123",
        "client": "City Hospital Lab",
        "assay": "SARS-CoV-2 Ag",
        "received_at": datetime(2025, 11, 22, 14, 5),
    }
    return TubeLabelData(**(values | changes))


def receiving(**changes) -> ReceivingLabelData:
    values = {
        "material_code": "NC-MEM-25",
        "material_name": "Nitrocellulose membrane, 25 mm",
        "internal_lot": "ML000123",
        "supplier": "Sartorius",
        "supplier_lot": "S-2211-04",
        "expiry": date(2027, 3, 31),
        "received_on": date(2026, 12, 1),
        "status": "QUARANTINE",
    }
    return ReceivingLabelData(**(values | changes))
