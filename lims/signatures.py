"""Electronic signatures (21 CFR Part 11 §11.50, §11.70, §11.200; EU GMP Annex 11 §14).

A signature is made only after the signer re-enters the password; it records printed name, meaning, time and
reason and is bound to the exact history row of the record it signs. A later change of that record shows as
"changed after signature" wherever the signature is shown.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lims.errors import BadSignature, DomainError, SigningLocked
from lims.models import Signature, SignatureFailure
from lims.permissions import require

SIGNING_FAILURE_LIMIT = 5
SIGNING_FAILURE_WINDOW = timedelta(minutes=30)


def verify_password(user, password: str, *, action: str):
    """Re-authenticate ``user`` (both components: user id and password). A wrong password is recorded as a
    failed attempt in its own transaction and raises BadSignature; after too many it locks signing."""
    since = timezone.now() - SIGNING_FAILURE_WINDOW
    if SignatureFailure.objects.filter(user=user, attempted_at__gte=since).count() >= SIGNING_FAILURE_LIMIT:
        raise SigningLocked()
    ok = bool(password) and user.is_active and user.check_password(password)
    if not ok:
        with transaction.atomic():
            SignatureFailure.objects.create(user=user, action=action[:200])
        raise BadSignature()


def printed_name(user) -> str:
    return user.get_full_name() or user.get_username()


def latest_history_row(obj):
    row = obj.history.order_by("-history_id").only("history_id").first()
    if row is None:
        raise DomainError(_("This record has no history yet and cannot be signed."), "unsigned_record")
    return row


def sign(obj, *, user, meaning: str, reason: str = "") -> Signature:
    """Bind a signature to the current version of ``obj``. Call it inside a signing service (the password
    has been verified by ``lims.audit.service`` before the transaction opened)."""
    require(user, "lims.sign_records")
    row = latest_history_row(obj)
    return Signature.objects.create(
        signer=user,
        printed_name=printed_name(user),
        meaning=meaning,
        reason=reason or "",
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        history_id=row.history_id,
        record_version=getattr(obj, "version", None),
    )


def signature_rows(obj):
    """The signatures of ``obj`` with a flag telling whether the record changed after each was made."""
    signatures = list(Signature.objects.for_object(obj))
    if not signatures:
        return []
    latest = obj.history.order_by("-history_id").values_list("history_id", flat=True).first()
    for s in signatures:
        s.changed_after = latest is not None and latest > s.history_id
    return signatures
