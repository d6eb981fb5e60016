"""A run of a background task: what, who started it, with which parameters, how far it got and how it ended."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lims.audit import history
from lims.models import TrackedModel


class TaskRun(TrackedModel):
    """One run of a task kind (``lims.tasks.registry``). ``key`` makes starting idempotent: a second start with
    the same key returns the first run. State: ``queued → running → succeeded | failed``; a retry after a
    transient failure goes ``running → queued`` again. History records every state change with the acting user
    (the person who started it, or the system account for scheduled work)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=100, db_index=True)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True, null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="task_runs",
                                   verbose_name=_("started by"))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED,
                             db_index=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    result_file = models.FileField(_("result file"), upload_to="tasks/%Y/%m/", blank=True)
    result_name = models.CharField(_("result file name"), max_length=200, blank=True)
    result_url = models.CharField(_("result link"), max_length=500, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    # A result file is kept until then (exports: LIMS_EXPORT_KEEP_HOURS), then removed by the hourly sweep.
    expires_at = models.DateTimeField(_("result kept until"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    error = models.TextField(_("error"), blank=True)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    history = history()

    class Meta:
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")
        indexes = [models.Index(fields=["started_by", "-queued_at"]), models.Index(fields=["state", "queued_at"])]
        permissions = [("view_all_taskruns", "Can see every task run")]

    def __str__(self):
        return f"{self.label} #{self.pk}"

    def get_absolute_url(self):
        return reverse("tasks:detail", args=[self.pk])

    @property
    def label(self):
        from lims.tasks.registry import KINDS

        kind = KINDS.get(self.kind)
        return kind.label if kind else self.kind

    @property
    def percent(self) -> int:
        if self.state == self.State.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)


class TaskStep(models.Model):
    """A step of a run that has committed (``TaskContext.once``): written in the same transaction as the step's
    own records, so a retried run skips it instead of writing its records twice. Bookkeeping of the run, not a
    GMP record: no history of its own (the run's and the records' history tell the story)."""

    run = models.ForeignKey(TaskRun, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=200)
    result = models.JSONField(default=dict, blank=True)
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "name"], name="tasks_step_once")]

    def __str__(self):
        return f"{self.run_id} · {self.name}"
