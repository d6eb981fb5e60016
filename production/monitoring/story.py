"""What belongs to a batch in environmental monitoring (lims.story): the action-level excursions that exposed it
(DESIGN.md, Environmental reading), their link to the batch and QA's impact assessment."""

from django.db.models import Q

from lims.story import BatchPart, ids_of
from production.monitoring.models import Excursion, ExcursionAssessment, ExcursionBatch


def batch_parts(batch):
    links = Q(batch_id=batch.pk)
    excursions = ids_of(ExcursionBatch, links, "excursion_id")
    return [
        BatchPart(ExcursionBatch, links, label_fields=("excursion",)),
        BatchPart(Excursion, Q(id__in=excursions), label_fields=("point", "parameter")),
        BatchPart(ExcursionAssessment, Q(excursion_id__in=excursions), label_fields=("excursion",)),
    ]
