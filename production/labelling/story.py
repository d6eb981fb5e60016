"""What belongs to a batch in labelling (lims.story): its print jobs (and their outputs: reprints), and the
label reconciliations."""

from django.db.models import Q

from lims.story import BatchPart, ids_of
from production.labelling.models import LabelReconciliation, PrintJob, PrintJobOutput


def batch_parts(batch):
    own = Q(batch_id=batch.pk)
    return [
        BatchPart(PrintJob, own, label_fields=("template",)),
        BatchPart(PrintJobOutput, Q(job_id__in=ids_of(PrintJob, own)), label_fields=("job",)),
        BatchPart(LabelReconciliation, own, label_fields=("template",)),
    ]
