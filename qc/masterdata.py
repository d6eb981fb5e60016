"""QC's master data pages (lims.masterdata): the tests of a product's specification, created through
``qc.services.create_specification`` as the API does; limits checked by ``Specification.clean``."""

from lims.masterdata import MasterKind, register
from qc import services
from qc.models import Specification

SPECIFICATION = register(MasterKind(
    Specification, "specifications", list_url="qc:specification-list", fixed_on_edit=("product", "code"),
    create=services.create_specification,
    fields=("product", "code", "name", "name_zh", "kind", "stage", "lower", "upper", "unit", "required_for_release",
            "method", "aql", "counts", "active")))
