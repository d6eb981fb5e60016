"""What belongs to a batch in regulatory (lims.story): its shipments. Notified-body batch verifications
(IVDR Annex IX §4.13) register under the key ``regulatory.batch_verifications`` once they exist."""

from django.db.models import Q

from lims.story import BatchPart
from regulatory.models import Shipment


def batch_parts(batch):
    return [BatchPart(Shipment, Q(batch_id=batch.pk), label_fields=("market",))]
