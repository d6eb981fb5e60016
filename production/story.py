"""What belongs to a batch in production (lims.story): the batch itself, its steps, rejects and consumptions."""

from django.db.models import Q

from lims.story import BatchPart
from production.models import Batch, BatchReject, BatchStep, Consumption


def batch_parts(batch):
    own = Q(batch_id=batch.pk)
    return [
        BatchPart(Batch, Q(id=batch.pk)),
        BatchPart(BatchStep, own, label_fields=("step",)),
        BatchPart(Consumption, own, label_fields=("material_lot",)),
        BatchPart(BatchReject, own, label_fields=("reason",)),
    ]
