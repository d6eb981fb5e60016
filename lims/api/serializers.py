"""Shared API serializers."""

from rest_framework import serializers

from lims.models import Signature


class SigningSerializer(serializers.Serializer):
    """The body of every signing action (API.md General): both components (21 CFR 11.200(a)(1)), the meaning
    (optional: it follows from the action; a contradicting one is a field error) and the reason."""

    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    meaning = serializers.ChoiceField(choices=Signature.Meaning.choices, required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def signing_kwargs(self) -> dict:
        d = self.validated_data
        return {"username": d["username"], "password": d["password"], "meaning": d.get("meaning", ""),
                "reason": d.get("reason", "")}
