"""The lab's figure of the incubator project API (issue 20; API.md ``lab_samples``): the samples tested (reported)
for the project's lab clients. One query, whatever the number of projects; registered in LabConfig.ready."""

from django.db.models import Count

from lab.models import Sample


def lab_samples_figure(project_ids) -> dict:
    rows = dict(Sample.objects.filter(client__project__in=project_ids, status=Sample.Status.REPORTED)
                .values("client__project").annotate(n=Count("id")).order_by()
                .values_list("client__project", "n"))
    return {pk: rows.get(pk, 0) for pk in project_ids}
