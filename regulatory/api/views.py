"""Regulatory API (API.md, regulatory rows): markets (by code), market rules, certification kinds, the
certification register with its life-cycle actions, export eligibility and shipments. Views parse, check the role
and call a service."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from lims.api.mixins import ServiceModelViewSet, created, reason_of
from lims.api.parsers import FormParser, JSONParser, MultiPartParser
from production.models import Batch
from regulatory import services
from regulatory.api import serializers as s
from regulatory.bundle import bundle
from regulatory.eligibility import evaluate
from regulatory.filters import CertificationFilter, MarketRuleFilter, ShipmentFilter
from regulatory.models import (
    BatchVerification,
    Certification,
    CertificationKind,
    Dossier,
    Market,
    MarketRule,
    Shipment,
)


class MarketViewSet(ServiceModelViewSet):
    lookup_field = "code"
    lookup_value_converter = "str"
    queryset = Market.objects.all()
    serializer_class = s.MarketSerializer
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


class MarketRuleViewSet(ServiceModelViewSet):
    lookup_value_converter = "int"
    queryset = MarketRule.objects.select_related("market")
    serializer_class = s.MarketRuleSerializer
    filterset_class = MarketRuleFilter
    ordering_fields = ["valid_from"]


class CertificationKindViewSet(ServiceModelViewSet):
    lookup_value_converter = "int"
    queryset = CertificationKind.objects.all()
    serializer_class = s.CertificationKindSerializer


class CertificationViewSet(ServiceModelViewSet):
    """The certification register. ``status`` may be given on creation (default ``pending``); a PATCH of
    ``status`` follows the life cycle (409 ``invalid_state``); suspension and withdrawal need a ``reason``."""

    lookup_value_converter = "int"
    queryset = Certification.objects.select_related("product", "market", "kind")
    serializer_class = s.CertificationSerializer
    filterset_class = CertificationFilter
    search_fields = ["number"]
    ordering_fields = ["valid_until", "valid_from"]
    required_permissions = {
        "activate": "regulatory.decide_certification",
        "suspend": "regulatory.decide_certification",
        "withdraw": "regulatory.decide_certification",
    }

    def perform_create(self, serializer):
        serializer.instance = services.create_certification(dict(serializer.validated_data), user=self.request.user,
                                                            reason=reason_of(self.request))

    def perform_update(self, serializer):
        serializer.instance = services.update_certification(
            serializer.instance, dict(serializer.validated_data), user=self.request.user,
            reason=reason_of(self.request), expected_version=self.request.data.get("version"))

    def _move(self, request, service):
        parsed = s.CertificationDecisionSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        cert = service(self.get_object(), user=request.user, reason=reason_of(request))
        return Response(self.get_serializer(self.get_queryset().get(pk=cert.pk)).data)

    @extend_schema(request=s.CertificationDecisionSerializer, responses=s.CertificationSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """pending | suspended → active."""
        return self._move(request, services.activate_certification)

    @extend_schema(request=s.CertificationDecisionSerializer, responses=s.CertificationSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """active → suspended (``reason`` required)."""
        return self._move(request, services.suspend_certification)

    @extend_schema(request=s.CertificationDecisionSerializer, responses=s.CertificationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """→ withdrawn (``reason`` required)."""
        return self._move(request, services.withdraw_certification)


class EligibilityView(APIView):
    """``GET eligibility/?lot=&market=&date=`` — may the lot ship to the market on the date (default today)?
    ``reasons`` lists every failing reason with a stable code, ``checks`` every rule evaluated with its outcome,
    ``warnings`` what does not refuse (a certification ending within 90 days, one in its grace period)."""

    required_permissions = ["regulatory.view_certification"]

    @extend_schema(parameters=[OpenApiParameter("lot", str, required=True),
                               OpenApiParameter("market", str, required=True),
                               OpenApiParameter("date", str, required=False, description="YYYY-MM-DD")],
                   responses=s.EligibilitySerializer)
    def get(self, request):
        query = s.EligibilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        on_date = data.get("date") or timezone.localdate()
        errors = {}
        batch = (Batch.objects.restrict(request.user, "view").select_related("product")
                 .filter(lot_number=data["lot"]).first())
        if batch is None:
            errors["lot"] = [_("Unknown lot %(lot)s.") % {"lot": data["lot"]}]
        market = Market.objects.filter(code=data["market"].upper()).first()
        if market is None:
            errors["market"] = [_("Unknown market %(market)s.") % {"market": data["market"]}]
        if errors:
            raise DrfValidationError(errors)
        result = evaluate(batch, market, on_date)
        return Response({"lot": batch.lot_number, "market": market.code, "date": on_date.isoformat(),
                         "eligible": result["eligible"], **present(result)})


def present(result) -> dict:
    """Reasons, checks and warnings with their texts as strings (the user's language)."""
    def row(r, *keys):
        return {k: (str(r[k]) if k in ("detail", "label") else r[k]) for k in keys if k in r}

    return {"reasons": [row(r, "code", "detail") for r in result["reasons"]],
            "checks": [row(c, "code", "label", "passed", "detail", "kind") for c in result["checks"]],
            "warnings": [row(w, "code", "detail") for w in result["warnings"]]}


class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    lookup_value_converter = "int"
    queryset = Shipment.objects.select_related("batch", "market", "shipped_by").prefetch_related("serials")
    serializer_class = s.ShipmentSerializer
    filterset_class = ShipmentFilter
    ordering_fields = ["shipped_on"]

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")

    @extend_schema(request=s.ShipmentSerializer, responses={201: s.ShipmentSerializer})
    def create(self, request, *args, **kwargs):
        """Ship kits of a lot: 409 ``not_eligible`` with every reason, 409 ``insufficient_quantity`` when more
        than released − shipped is asked; ``serials`` (optional) lists the case serials, plain or as scanned from
        the case label: one of another lot, not issued, destroyed or shipped already → 409 ``serial_unavailable``
        with a reason per serial."""
        parsed = s.ShipmentSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        shipment = services.record_shipment(
            batch=data["batch"], market=data["market"], quantity=data["quantity"], shipped_on=data["shipped_on"],
            consignee=data["consignee"], export_certificate_number=data.get("export_certificate_number", ""),
            serials=data.get("serials", []), user=request.user, reason=reason_of(request))
        return created(s.ShipmentSerializer, shipment, request)


class BatchVerificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                               mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """IVDR Annex IX §4.13 batch verification of class D lots (API.md): create opens the record of a released
    lot; PATCH records the notified body and the sent dates (``reason`` and ``version`` required); ``decide/``
    records the body's answer, signed; ``documents/`` keeps a document with its SHA-256."""

    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = BatchVerification.objects.select_related("batch").prefetch_related("documents__uploaded_by")
    serializer_class = s.BatchVerificationSerializer
    filterset_fields = ["status"]
    ordering_fields = ["id", "reports_sent_on"]
    required_permissions = {"decide": "regulatory.decide_batchverification",
                            "documents": "regulatory.add_batchverificationdocument"}
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        qs = super().get_queryset().restrict(self.request.user, "view")
        lot = self.request.query_params.get("batch")
        return qs.filter(batch__lot_number=lot) if lot else qs

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = services.open_batch_verification(
            d["batch"], notified_body=d.get("notified_body", ""), reports_sent_on=d.get("reports_sent_on"),
            samples_sent_on=d.get("samples_sent_on"), samples_required=d.get("samples_required", True),
            user=self.request.user, reason=reason_of(self.request))

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        if "batch" in changes and changes["batch"] != serializer.instance.batch:
            raise DrfValidationError({"batch": [_("The lot of a batch verification cannot change.")]})
        changes.pop("batch", None)
        serializer.instance = services.update_batch_verification(
            serializer.instance, changes, user=self.request.user, reason=reason_of(self.request),
            expected_version=self.request.data.get("version"))

    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)

    @extend_schema(request=s.BatchVerificationDecisionSerializer, responses={200: s.BatchVerificationSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The notified body's decision, signed: ``confirmed`` (meaning "verified") or ``objected`` (meaning
        "rejected"; ``reason`` required). 409 ``verification_decided`` once decided."""
        parsed = s.BatchVerificationDecisionSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        verification = services.decide_batch_verification(
            self.get_object(), decision=parsed.validated_data["decision"],
            decided_on=parsed.validated_data.get("decided_on"), **parsed.signing_kwargs(), user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=verification.pk)).data)

    @extend_schema(request={"multipart/form-data": s.VerificationDocumentUploadSerializer},
                   responses={201: s.BatchVerificationDocumentSerializer})
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        verification = self.get_object()
        parsed = s.VerificationDocumentUploadSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        doc = services.upload_verification_document(verification, parsed.validated_data["file"],
                                                    kind=parsed.validated_data["kind"], user=request.user,
                                                    reason=reason_of(request))
        return created(s.BatchVerificationDocumentSerializer, doc, request)


class DossierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """Dossiers (product × market × purpose) with completeness and gaps; ``documents/`` uploads a new version
    against an item (multipart: item, file, reason); ``bundle/`` downloads the zip with ``index.pdf``."""

    lookup_value_converter = "int"
    queryset = Dossier.objects.select_related("product", "market", "template").prefetch_related(
        "items__documents__uploaded_by")
    serializer_class = s.DossierSerializer
    required_permissions = {"documents": "regulatory.add_document", "bundle": "regulatory.view_dossier",
                            "bundle_task": "regulatory.view_dossier",
                            "ready": "regulatory.change_dossier", "submit": "regulatory.change_dossier",
                            "decide": "regulatory.change_dossier"}
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = services.create_dossier(product=d["product"], market=d["market"],
                                                      template=d["template"], user=self.request.user,
                                                      reason=reason_of(self.request))

    @extend_schema(request={"multipart/form-data": s.DocumentUploadSerializer},
                   responses={201: s.DocumentSerializer})
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        dossier = self.get_object()
        parsed = s.DocumentUploadSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        ref = parsed.validated_data["item"]
        item = dossier.items.filter(pk=ref).first() or dossier.items.filter(position=ref).first()
        if item is None:
            raise DrfValidationError({"item": [_("Unknown checklist item %(item)s.") % {"item": ref}]})
        doc = services.upload_document(item, parsed.validated_data["file"], user=request.user,
                                       reason=reason_of(request))
        return created(s.DocumentSerializer, doc, request)

    @extend_schema(request=s.ReasonOnlySerializer, responses={200: s.DossierSerializer})
    @action(detail=True, methods=["post"])
    def ready(self, request, pk=None):
        """draft → ready (refused with 409 ``incomplete`` and every gap while a required item is missing)."""
        dossier = services.mark_dossier_ready(self.get_object(), user=request.user, reason=reason_of(request))
        return Response(self.get_serializer(dossier).data)

    @extend_schema(request=s.DossierSubmitSerializer, responses={200: s.DossierSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """ready → submitted, signed (password re-checked; 403 ``bad_signature`` when wrong)."""
        parsed = s.DossierSubmitSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        dossier = services.submit_dossier(self.get_object(), **parsed.signing_kwargs(), user=request.user)
        return Response(self.get_serializer(dossier).data)

    @extend_schema(request=s.DossierDecisionSerializer, responses={200: s.DossierSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """submitted → approved | rejected (the authority's answer)."""
        parsed = s.DossierDecisionSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        dossier = services.decide_dossier(self.get_object(), approved=parsed.validated_data["approved"],
                                          user=request.user, reason=parsed.validated_data.get("reason", ""))
        return Response(self.get_serializer(dossier).data)

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="bundle-task")
    def bundle_task(self, request, pk=None):
        """Build the bundle in the background (lims.tasks) → 202 with the run's ``status_url`` (progress) and
        ``download_url``; ``idempotency_key`` in the body makes a retry return the same run."""
        from django.urls import reverse

        from lims.tasks import start_task

        dossier = self.get_object()
        key = request.data.get("idempotency_key") if isinstance(request.data, dict) else None
        run = start_task("regulatory.dossier_bundle", {"dossier": dossier.pk}, user=request.user,
                         key=str(key)[:100] if key else None)
        return Response({"task": run.pk, "status_url": reverse("tasks:status", args=[run.pk]),
                         "download_url": reverse("tasks:download", args=[run.pk])}, status=202)

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def bundle(self, request, pk=None):
        dossier = self.get_object()
        response = HttpResponse(bundle(dossier, request.user.get_username()), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="dossier-{dossier.pk}.zip"'
        return response


class UdiExportView(APIView):
    """``GET udi-export/?output=json|csv&product=<id>…`` — device and lot data as EUDAMED-style JSON, or the
    ÜTS-style unit notification CSV, validated against the project's schemas (regulatory/schemas); 409
    ``udi_invalid`` with every problem when the master data do not validate (e.g. a missing Basic UDI-DI)."""

    required_permissions = ["regulatory.view_certification", "production.view_product"]

    @extend_schema(parameters=[OpenApiParameter("output", str, enum=["json", "csv"], required=False),
                               OpenApiParameter("product", int, many=True, required=False)],
                   responses={(200, "application/json"): OpenApiTypes.OBJECT, (200, "text/csv"): OpenApiTypes.STR,
                              (400, "application/json"): OpenApiTypes.OBJECT,
                              (409, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request):
        from production.models import Product
        from regulatory import udi

        fmt = request.query_params.get("output", "json")  # not "format": DRF keeps that for renderers
        if fmt not in ("json", "csv"):
            raise DrfValidationError({"output": [_("Choose json or csv.")]})
        raw = request.query_params.getlist("product")
        bad = [p for p in raw if not p.isdigit() or len(p) > 18]
        if bad:
            raise DrfValidationError({"product": [_("Unknown product %(p)s.") % {"p": bad[0]}]})
        products = list(Product.objects.restrict(request.user, "view").filter(pk__in=raw).order_by("code")) if raw \
            else list(Product.objects.restrict(request.user, "view").order_by("code"))
        if fmt == "csv":
            response = HttpResponse(udi.uts_csv(products), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="uts-unit-notification.csv"'
            return response
        return Response(udi.device_export(products))
