"""Domain errors: a rule that forbids an action now, with a stable code (API.md: 409) and a translated message."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the action. ``code`` is stable and never translated; ``message`` is."""

    status = 409

    def __init__(self, message, code: str = "conflict", *, reasons=None, **extra):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.reasons = reasons or []
        self.extra = extra

    def as_dict(self) -> dict:
        body = {"detail": str(self.message), "code": self.code}
        if self.reasons:
            body["reasons"] = [{"code": r["code"], "detail": str(r["detail"])} for r in self.reasons]
        body.update(self.extra)
        return body


class StaleVersion(DomainError):
    def __init__(self, current: int):
        super().__init__(
            _("This record was changed by someone else (now version %(v)s). Reload it and apply your change again.")
            % {"v": current},
            "stale_version",
            current_version=current,
        )


class ReasonRequired(DomainError):
    """Editing a released, approved or signed record needs a reason (EU GMP Annex 11 §9)."""

    status = 400

    def __init__(self):
        super().__init__(_("A reason is required to change this record."), "reason_required")


class BadSignature(DomainError):
    """The signing password was wrong (21 CFR 11.200): nothing was signed."""

    status = 403

    def __init__(self):
        super().__init__(_("The password is not correct; nothing was signed."), "bad_signature")


class SigningLocked(DomainError):
    status = 403

    def __init__(self):
        super().__init__(
            _("Too many failed signature attempts: signing is locked for this account for a while."),
            "signing_locked",
        )
