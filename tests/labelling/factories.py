"""Factories of every tracked labelling model, through the services (used by tests/core's audit test)."""

from production import services as production_services
from production.labelling import services
from production.labelling.models import LabelReconciliation, Printer, PrintJob, PrintJobOutput
from tests.production.factories import make_batch


def make_started_batch(user, reason, **kwargs):
    return production_services.start_batch(make_batch(user, reason, **kwargs), user=user, reason=reason)


def make_print_job(user, reason):
    return services.print_labels(make_started_batch(user, reason), "case", None, 3, user=user, reason=reason)


def make_label_reconciliation(user, reason):
    job = make_print_job(user, reason)
    return services.reconcile_labels(job.batch, "case", 2, 1, 0, user=user, reason=reason)


def make_print_job_output(user, reason):
    return services.record_output(make_print_job(user, reason), user=user, reason=reason)


def make_printer(user, reason):
    return services.create_printer({"name": f"Printer {Printer.objects.count() + 1}", "address": "127.0.0.1",
                                    "stock": "roll-100x70"}, user=user, reason=reason)


FACTORIES = {
    Printer: make_printer,
    PrintJob: make_print_job,
    PrintJobOutput: make_print_job_output,
    LabelReconciliation: make_label_reconciliation,
}
