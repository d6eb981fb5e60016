"""What belongs to a batch in QC (lims.story): its inspections and their results, its deviations and their
CAPAs, and QA's dispositions."""

from django.db.models import Q

from lims.story import BatchPart, ids_of
from qc.models import Capa, Deviation, Disposition, Inspection, InspectionResult


def batch_parts(batch):
    own = Q(batch_id=batch.pk)
    return [
        BatchPart(Inspection, own, label_fields=("stage",)),
        BatchPart(InspectionResult, Q(inspection_id__in=ids_of(Inspection, own)), label_fields=("specification",)),
        BatchPart(Deviation, own),
        BatchPart(Capa, Q(deviation_id__in=ids_of(Deviation, own))),
        BatchPart(Disposition, own, label_fields=("decision",)),
    ]
