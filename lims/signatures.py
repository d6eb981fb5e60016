"""Electronic signatures (21 CFR Part 11 §11.50, §11.70, §11.200; EU GMP Annex 11 §14).

A signature is made only after the signer re-enters the password; it records printed name, meaning, time and
reason and is bound to the exact history row of the record it signs. A later change of that record shows as
"changed after signature" wherever the signature is shown.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lims.errors import BadSignature, DomainError, SigningLocked
from lims.models import Signature, SignatureFailure
from lims.permissions import require

SIGNING_FAILURE_LIMIT = 5
SIGNING_FAILURE_WINDOW = timedelta(minutes=30)


# Every signing action of the system, by code (filled as the apps' services modules are imported).
SIGNING_ACTIONS: dict[str, "SigningAction"] = {}


@dataclass(frozen=True, eq=False)
class SigningAction:
    """What one kind of signature means, declared as data next to its service (21 CFR 11.50(a)(3): the meaning
    of a signature is part of it, and follows from what is signed).

    ``meanings`` lists the meanings this action can carry; without ``derive`` the first one applies. ``derive``
    computes the meaning from the service's keyword arguments (a disposition: the decision). ``may_sign(user,
    obj)`` returns why this person may not sign this record (four eyes, no self-review), or None; pages show
    it before anyone types a password, and the service refuses on it (409)."""

    code: str
    meanings: tuple[str, ...]
    derive: Callable[[dict], str | None] | None = None
    may_sign: Callable[[object, object], str | None] | None = None
    permission: str = ""

    def __post_init__(self):
        unknown = set(self.meanings) - set(Signature.Meaning.values)
        if not self.meanings or unknown:
            raise ValueError(f"signing action {self.code}: unknown meanings {sorted(unknown)}")
        SIGNING_ACTIONS[self.code] = self

    def expected_meaning(self, kwargs: dict) -> str | None:
        if self.derive is None:
            return self.meanings[0]
        try:
            return self.derive(kwargs)
        except (KeyError, TypeError, ValueError):
            return None  # the service itself refuses the invalid input (e.g. an unknown decision)

    def resolve_meaning(self, given, kwargs: dict) -> str:
        """The meaning that applies; a contradicting one is a field error on ``meaning`` (API.md)."""
        given = str(given or "").strip()
        expected = self.expected_meaning(kwargs)
        if given and given not in Signature.Meaning.values:
            raise ValidationError({"meaning": [_("“%(m)s” is not a meaning of a signature.") % {"m": given}]})
        if expected is None:
            return given
        if given and given != expected:
            raise ValidationError({"meaning": [
                _("This action is signed “%(expected)s”; “%(given)s” contradicts it.")
                % {"expected": Signature.Meaning(expected).label, "given": Signature.Meaning(given).label}]})
        return expected

    def meaning_label(self, kwargs: dict | None = None) -> str:
        meaning = self.expected_meaning(kwargs or {}) or self.meanings[0]
        return str(Signature.Meaning(meaning).label)

    def refusal(self, user, obj) -> str | None:
        """Why ``user`` may not sign ``obj`` now (None: they may)."""
        if not user.is_authenticated:
            return _("Sign in to sign.")
        if self.permission and not user.has_perm(self.permission):
            return _("Your role does not include this signature.")
        if not user.has_perm("lims.sign_records"):
            return _("Your role does not include signing records.")
        if self.may_sign is not None and obj is not None:
            return self.may_sign(user, obj)
        return None


def verify_signer(user, username, password, *, action: str):
    """Re-authenticate ``user`` with both components (21 CFR 11.200(a)(1)): the user id typed again must be the
    signed-in person's own and the password theirs. Either wrong is recorded as a failed attempt (its own
    transaction, so it stays when the action is refused) and raises BadSignature; five failures in 30 minutes
    lock signing (11.300(d))."""
    since = timezone.now() - SIGNING_FAILURE_WINDOW
    if SignatureFailure.objects.filter(user=user, attempted_at__gte=since).count() >= SIGNING_FAILURE_LIMIT:
        raise SigningLocked()
    username = str(username or "")
    same_person = username == user.get_username()
    ok = same_person and bool(password) and user.is_active and user.check_password(password)
    if not ok:
        note = action if same_person else f"{action} · user id given: {username[:60]!r}"
        with transaction.atomic():
            SignatureFailure.objects.create(user=user, action=note[:200])
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
