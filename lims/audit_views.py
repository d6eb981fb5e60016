"""The auditor's pages (Auditor, QA, Admin): the global audit trail — searchable by lot (the batch story),
record name, person, reason text and date range, with readable record names, exported as CSV, XLSX or PDF —,
the electronic signatures (same exports) and the audit-trail verification (tamper evidence)."""

from datetime import datetime, time, timedelta
from itertools import islice

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lims import exports, history, paging
from lims.listing import Column, ListPage
from lims.models import AuditVerification, Signature

PDF_ROW_LIMIT = 5000  # a printout beyond this is an export's job (CSV / XLSX carry every row)

VERIFY_PERMISSION = "lims.view_audit_log"


@login_required
@require_http_methods(["GET", "POST"])
def audit_verify(request):
    if not request.user.has_perm(VERIFY_PERMISSION):
        raise PermissionDenied(VERIFY_PERMISSION)
    if request.method == "POST":
        from lims.tasks import start_task
        from lims.tasks.builtin import VERIFY_TASK

        run = start_task(VERIFY_TASK, {}, user=request.user)
        messages.info(request, _("The audit trail verification has started; this page shows its progress."))
        return redirect(run.get_absolute_url())
    runs = list(AuditVerification.objects.select_related("run_by").order_by("-finished_at", "-id")[:20])
    last = runs[0] if runs else None
    chosen = request.GET.get("run", "")
    if chosen.isdigit():
        last = next((r for r in runs if r.pk == int(chosen)), None) or \
            AuditVerification.objects.select_related("run_by").filter(pk=int(chosen)).first() or last
    return render(request, "lims/audit_verify.html", {"last": last, "runs": runs})


class AuditFilterForm(forms.Form):
    lot = forms.CharField(required=False, max_length=40, label=gettext_lazy("Lot"),
                          help_text=gettext_lazy("every record of the batch's story, in any app"))
    record = forms.CharField(required=False, max_length=200, label=gettext_lazy("Record name"))
    user = forms.ModelChoiceField(queryset=get_user_model().objects.order_by("username"), required=False,
                                  label=gettext_lazy("User"))
    reason = forms.CharField(required=False, max_length=200, label=gettext_lazy("Reason contains"))
    model = forms.ChoiceField(required=False, label=gettext_lazy("Record type"))
    object_id = forms.IntegerField(required=False, min_value=1, label=gettext_lazy("Record id"))
    date_from = forms.DateField(required=False, label=gettext_lazy("From"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label=gettext_lazy("To (inclusive)"),
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("All"))] + sorted(
            (m._meta.label_lower, f"{m._meta.app_config.verbose_name} · {m._meta.verbose_name}")
            for m in history.audited_models()
        )
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select form-select-sm" if select else
                                          "form-control form-control-sm")

    def clean_lot(self):
        lot = self.cleaned_data.get("lot", "").strip()
        if lot:
            batch = story_batch(lot)
            if batch is None:
                raise forms.ValidationError(_("No batch has lot number “%(lot)s”.") % {"lot": lot})
            self.cleaned_data["batch"] = batch
        return lot

    def clean(self):
        data = super().clean()
        if data.get("object_id") and not data.get("model"):
            self.add_error("model", _("Choose the record type to filter by record id."))
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def story_batch(lot: str):
    """The batch of a lot number, looked up by model label (lims never imports the apps above it)."""
    from django.apps import apps

    try:
        batch_model = apps.get_model("production", "Batch")
    except LookupError:
        return None
    return batch_model._default_manager.filter(lot_number=lot).first()


def _day_start(d):
    return timezone.make_aware(datetime.combine(d, time.min)) if d else None


def audit_filters(d: dict) -> dict:
    return {
        "user_id": d["user"].pk if d.get("user") else None, "model_label": d.get("model") or None,
        "object_id": d.get("object_id"), "date_from": d.get("after") or _day_start(d.get("date_from")),
        "date_to": d.get("before") or (_day_start(d["date_to"] + timedelta(days=1)) if d.get("date_to") else None),
        "reason_text": (d.get("reason") or "").strip() or None, "record_text": (d.get("record") or "").strip() or None,
    }


def story_rows(batch, filters, viewer=None) -> list[dict]:
    """The audit rows of one batch's story (lims.story: every record of the batch in any app, and their
    signatures), newest first, in the shape of ``history.audit_rows``, filtered like the trail."""
    from lims.story import batch_story

    user = None
    if filters.get("user_id"):
        user = get_user_model().objects.filter(pk=filters["user_id"]).values_list("username", flat=True).first()
    rows = []
    for e in batch_story(batch, viewer=viewer, user=user, newest_first=True):
        if filters.get("model_label") and e["model"] != filters["model_label"]:
            continue
        if filters.get("object_id") and e["object_id"] != filters["object_id"]:
            continue
        if filters.get("date_from") and e["history_date"] < filters["date_from"]:
            continue
        if filters.get("date_to") and e["history_date"] >= filters["date_to"]:
            continue
        if filters.get("reason_text") and filters["reason_text"].lower() not in e["reason"].lower():
            continue
        if filters.get("record_text") and filters["record_text"].lower() not in e["record_name"].lower():
            continue
        rows.append({
            "history_id": e["history_id"], "history_date": e["history_date"], "user": e["user"],
            "user_name": e["user_name"], "type": e["type"], "type_display": e["type_display"],
            "reason": e["reason"], "reason_system": e["reason_system"], "model": e["model"],
            "model_name": e["model"], "object_id": e["object_id"], "record_name": e["record_name"],
            "history_url": e["record_url"], "record": e["record"], "changes": e["changes"],
        })
    return rows


@login_required
def audit_log(request):
    """The global audit trail: every history row of every record (or of one batch's story); filter by lot,
    record name, user, reason text, type, record and dates; CSV, XLSX and PDF export."""
    if not request.user.has_perm("lims.view_audit_log"):
        raise PermissionDenied("lims.view_audit_log")
    form = AuditFilterForm(request.GET or None)
    filters, batch = {}, None
    if form.is_bound and form.is_valid():
        filters = audit_filters(form.cleaned_data)
        batch = form.cleaned_data.get("batch")
    valid = not form.is_bound or form.is_valid()
    export = request.GET.get("export")
    if export in ("csv", "xlsx") and valid and batch is None:
        later = exports.background(request, export, history.audit_count(**filters).value)
        if later is not None:
            return later
    if export in ("csv", "xlsx", "pdf") and valid:
        return _audit_export(request, export, filters, batch)
    page, notice, rows, numbered = None, None, [], None
    if valid and batch is not None:
        numbered = Paginator(story_rows(batch, filters, viewer=request.user), 50).get_page(request.GET.get("page"))
        rows = list(numbered.object_list)
    elif valid:
        try:
            page = history.audit_page(size=50, cursor=request.GET.get("cursor") or None, **filters)
        except paging.BadCursor:
            notice = _("That page link is no longer valid; showing the newest entries.")
            page = history.audit_page(size=50, **filters)
        rows = history.audit_rows(page.rows)
    query = request.GET.copy()
    for k in ("page", "cursor", "export"):
        query.pop(k, None)
    return render(request, "lims/audit_log.html",
                  {"form": form, "page": page, "page_obj": numbered, "rows": rows, "notice": notice,
                   "batch": batch, "querystring": query.urlencode()})


AUDIT_HEADER = ["history_id", "date", "user", "type", "record_type", "record_id", "reason", "reason_by_system",
                "printed_name", "record_name"]


def _audit_cells(filters, *, chunk=2000):
    """The export's cells of the whole filtered trail, the same as ``history.audit_rows`` gives them but made
    straight from the raw rows: people looked up once each (in bulk, as new ones appear), reasons translated
    once per distinct reason, the record type's name once per table (a five-year trail is millions of rows)."""
    user_model = get_user_model()
    tz = timezone.get_current_timezone()
    names = {m._meta.label_lower: str(m._meta.verbose_name) for m in history.audited_models()}
    people: dict = {}
    reasons: dict = {}
    kinds = history.TYPE_LABELS
    stream = history.audit_iter(chunk=chunk, **filters)
    while True:
        part = list(islice(stream, chunk))
        if not part:
            return
        missing = {r[2] for r in part if r[2] and r[2] not in people}
        if missing:
            for u in user_model.objects.filter(pk__in=missing):
                people[u.pk] = (u.get_username(), u.get_full_name() or u.get_username())
        for history_id, date, uid, htype, reason, obj_id, system, label, *rest in part:
            user, user_name = people.get(uid, ("", ""))
            said = reasons.get((reason, system))
            if said is None:
                said = reasons[(reason, system)] = history.reason_display(reason, system)
            model_name = names.get(label, label)
            name = rest[0] if rest and rest[0] else None
            yield [history_id or "", date.astimezone(tz).isoformat(), user, kinds.get(htype, htype), label, obj_id,
                   said, "yes" if system else "", user_name,
                   f"{model_name} {name}" if name else f"{model_name} #{obj_id}"]


def _audit_export(request, fmt, filters, batch):
    """The whole filtered audit trail, streamed (each table read by key; no OFFSET, no limit); a PDF holds the
    first ``PDF_ROW_LIMIT`` rows and says so."""
    def raw_rows():
        if batch is not None:
            yield from story_rows(batch, filters, viewer=request.user)
            return
        buffer = []
        for raw in history.audit_iter(**filters):
            buffer.append(raw)
            if len(buffer) >= 1000:
                yield from history.audit_rows(buffer, urls=False)
                buffer = []
        yield from history.audit_rows(buffer, urls=False)

    def cells():
        if batch is not None:
            for r in raw_rows():
                yield [r["history_id"] or "", timezone.localtime(r["history_date"]).isoformat(), r["user"],
                       r["type"], r["model"], r["object_id"], r["reason"], "yes" if r["reason_system"] else "",
                       r["user_name"], r["record_name"]]
            return
        yield from _audit_cells(filters)

    if fmt == "csv":
        return exports.csv_response("audit-trail", AUDIT_HEADER, cells())
    if fmt == "xlsx":
        return exports.xlsx_response("audit-trail", "audit trail", AUDIT_HEADER, cells())
    from lims.pdf import RecordPdf, Section, local, pdf_response
    from lims.signatures import printed_name

    rows = list(islice(raw_rows(), PDF_ROW_LIMIT + 1))
    cut = len(rows) > PDF_ROW_LIMIT
    table = [[_("When"), _("Who"), _("Action"), _("Record"), _("Reason")]] + [
        [local(r["history_date"], seconds=True), r["user_name"] or r["user"] or "—", r["type_display"],
         r["record_name"], r["reason"] + (f" ({_('system')})" if r["reason_system"] else "")]
        for r in rows[:PDF_ROW_LIMIT]]
    facts = [(_("Filters"), "; ".join(f"{k}={v}" for k, v in request.GET.items() if k != "export" and v) or _("none"))]
    note = (_("Only the newest %(n)s rows are printed; export CSV or XLSX for all of them.") % {"n": PDF_ROW_LIMIT}
            if cut else "")
    pdf = RecordPdf(title=_("Audit trail"), reference=batch.lot_number if batch else _("All records"), facts=facts,
                    sections=[Section(_("Entries"), table if len(table) > 1 else (),
                                      text=_("No audit entries match these filters."),
                                      widths=(0.16, 0.14, 0.09, 0.33, 0.28))],
                    printed_by=printed_name(request.user), note=note, wide=True,
                    signature_heading=_("Electronic signatures of this printout")).build()
    return pdf_response(pdf, "audit-trail.pdf")


class SignatureList(ListPage):
    model = Signature
    queryset = Signature.objects.select_related("signer", "content_type")
    title = gettext_lazy("Electronic signatures")
    template_name = "lims/signature_list.html"
    columns = [
        Column("signed_at", gettext_lazy("Signed at"), sort="signed_at"),
        Column("printed_name", gettext_lazy("Printed name"), sort="printed_name"),
        Column("meaning", gettext_lazy("Meaning"), sort="meaning"),
        Column("object_repr", gettext_lazy("Record")),
        Column("reason", gettext_lazy("Reason")),
    ]
    search_fields = ("printed_name", "object_repr", "reason")
    default_sort = "-signed_at"
    export_name = "signatures"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "pdf":
            return self.export_pdf()
        return super().get(request, *args, **kwargs)

    def export_pdf(self):
        from lims.pdf import RecordPdf, Section, local, pdf_response
        from lims.signatures import printed_name

        signatures = list(self.filtered()[:PDF_ROW_LIMIT + 1])
        rows = [[_("Signed at"), _("Printed name"), _("User"), _("Meaning"), _("Record"), _("Reason")]] + [
            [local(s.signed_at, seconds=True), s.printed_name, s.signer.get_username(), s.get_meaning_display(),
             s.object_repr, s.reason] for s in signatures[:PDF_ROW_LIMIT]]
        note = (_("Only the first %(n)s rows are printed; export CSV or XLSX for all of them.") % {"n": PDF_ROW_LIMIT}
                if len(signatures) > PDF_ROW_LIMIT else "")
        pdf = RecordPdf(title=str(self.title), reference=_("Signature list"),
                        sections=[Section(_("Signatures"), rows if len(rows) > 1 else (), text=_("None."),
                                          widths=(0.16, 0.14, 0.1, 0.12, 0.28, 0.2))],
                        printed_by=printed_name(self.request.user), note=note, wide=True,
                        signature_heading=_("Electronic signatures of this printout")).build()
        return pdf_response(pdf, "signatures.pdf")
