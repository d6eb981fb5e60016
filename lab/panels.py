"""The lab's panel on the incubator's project page (registered in LabConfig.ready): what the project's lab
clients sent, how much was tested and how fast. Three queries, whatever the number of samples."""

import statistics

from django.db.models import Count, Max, Min, Q

from lab.models import Client, Sample

RECENT = 5


def project_lab_usage(request, project):
    clients = list(Client.objects.filter(project=project).order_by("code"))
    if not clients:
        return {"clients": [], "project": project}
    samples = Sample.objects.filter(client__in=clients)
    summary = samples.aggregate(
        submitted=Count("id"), reported=Count("id", filter=Q(status=Sample.Status.REPORTED)),
        rejected=Count("id", filter=Q(status=Sample.Status.REJECTED)), first=Min("received_at"),
        last=Max("received_at"))
    per_assay = list(samples.filter(status=Sample.Status.REPORTED).values(
        "assay__code", "assay__name", "assay__tat_target_hours").annotate(n=Count("id")).order_by("-n")[:10])
    # Turnaround of the most recent reported samples (median as on the throughput page: mean of the middle two).
    tats = [(r - s).total_seconds() / 3600 for s, r in samples.filter(status=Sample.Status.REPORTED).order_by(
        "-reported_at").values_list("received_at", "reported_at")[:2000]]
    median = round(statistics.median(tats), 2) if tats else None
    return {
        "project": project, "clients": clients, "summary": summary, "per_assay": per_assay,
        "median_tat_hours": median, "tat_basis": len(tats),
        "can_see_samples": request.user.has_perm("lab.view_sample"),
    }
