"""What environmental monitoring tells the release of a batch (the QC gate ``unassessed_excursion``)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from lims.models import Signature
from production.monitoring.models import Excursion, ExcursionAssessment


def unassessed_excursions(batch):
    """Action-level excursions that exposed ``batch`` and have no signed impact assessment.

    Exposed: linked to the batch, or — so that a batch started while an excursion was already open is not
    missed before the next reading re-links it — in the batch's room while the batch was in production.
    """
    signed = Signature.objects.filter(
        content_type=ContentType.objects.get_for_model(ExcursionAssessment),
        object_id=OuterRef("assessment__pk"), meaning="assessed")
    exposed = Q(batch_links__batch=batch)
    if batch.started_at is not None:
        end = batch.completed_at or timezone.now()
        exposed |= (Q(point__clean_room_id=batch.line.clean_room_id, started_at__lte=end)
                    & (Q(ended_at__isnull=True) | Q(ended_at__gte=batch.started_at)))
    return (Excursion.objects.filter(level=Excursion.Level.ACTION).filter(exposed)
            .exclude(Exists(signed)).distinct().order_by("started_at", "pk"))
