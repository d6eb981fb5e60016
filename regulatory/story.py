"""What belongs to a batch in regulatory (lims.story): its shipments with their case serials, and the notified
body's batch verification (IVDR Annex IX §4.13) with its documents."""

from django.db.models import Q

from lims.story import BatchPart, ids_of
from regulatory.models import BatchVerification, BatchVerificationDocument, Shipment, ShipmentSerial


def batch_parts(batch):
    return [
        BatchPart(Shipment, Q(batch_id=batch.pk), label_fields=("market",)),
        BatchPart(ShipmentSerial, Q(batch_id=batch.pk)),
        BatchPart(BatchVerification, Q(batch_id=batch.pk)),
        BatchPart(BatchVerificationDocument,
                  Q(verification_id__in=ids_of(BatchVerification, Q(batch_id=batch.pk)))),
    ]
