"""Pages of task runs: the person's own runs, one run's progress (polled by lims/static/lims/tasks.js) and its
download. A run is visible to the person who started it and to roles holding ``tasks.view_all_taskruns``."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lims.tasks.models import TaskRun


def visible_runs(user):
    runs = TaskRun.objects.select_related("started_by")
    return runs if user.has_perm("tasks.view_all_taskruns") else runs.filter(started_by=user)


def _run(request, pk):
    return get_object_or_404(visible_runs(request.user), pk=pk)


def status_payload(run: TaskRun) -> dict:
    return {
        "id": run.pk,
        "kind": run.kind,
        "state": run.state,
        "state_display": str(run.get_state_display()),
        "done": run.progress_done,
        "total": run.progress_total,
        "percent": run.percent,
        "message": run.message,
        "error": run.error if run.state == TaskRun.State.FAILED else "",
        "finished": run.finished,
        "download_url": reverse("tasks:download", args=[run.pk]) if run.result_file and not run.expired else "",
        "expires_at": formats.date_format(timezone.localtime(run.expires_at), "DATETIME_FORMAT")
        if run.expires_at else "",
        "result_url": run.result_url,
        "updated_at": formats.date_format(timezone.localtime(run.updated_at), "DATETIME_FORMAT"),
    }


@login_required
@require_GET
def run_list(request):
    page = Paginator(visible_runs(request.user).order_by("-queued_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "tasks/run_list.html", {"page": page})


@login_required
@require_GET
def run_detail(request, pk):
    run = _run(request, pk)
    history = run.history.select_related("history_user").order_by("-history_id")[:50]
    return render(request, "tasks/run_detail.html", {"run": run, "status": status_payload(run), "history": history})


@login_required
@require_GET
def run_status(request, pk):
    return JsonResponse(status_payload(_run(request, pk)))


def _own_only(run) -> bool:
    """Exports hold rows the person chose to see: only the person who asked may download them."""
    from lims.exports import EXPORT_TASK

    return run.kind == EXPORT_TASK


@login_required
@require_GET
def run_download(request, pk):
    """The result file; every download is recorded in the run's history (who, when)."""
    from lims.tasks.services import record_download

    run = _run(request, pk)
    if _own_only(run) and run.started_by_id != request.user.pk:
        raise Http404
    if run.expired:
        return render(request, "tasks/run_detail.html", {
            "run": run, "status": status_payload(run), "history": [],
            "gone": _("This file was removed when its time ran out; start the export again.")}, status=410)
    if not run.result_file:
        raise Http404
    try:
        handle = run.result_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    record_download(run.pk, user=request.user)
    return FileResponse(handle, as_attachment=True, filename=run.result_name or None)
