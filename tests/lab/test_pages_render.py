"""Every page of the incubator and the lab renders for its role, in English and in Simplified Chinese."""

import pytest
from django.conf import settings
from django.urls import reverse

from incubator import services as incubator_services
from tests.incubator.factories import make_kpi, make_milestone, make_project
from tests.lab.factories import local, make_assay, make_client, make_sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(incubator_user, lab_user):
    project = make_project(incubator_user, stage="incubating")
    milestone = make_milestone(incubator_user, project=project)
    kpi = make_kpi(incubator_user, project=project)
    incubator_services.add_note(project, text="visit", user=incubator_user)
    client = make_client(lab_user, kind="incubator_project", project=project)
    assay = make_assay(lab_user)
    sample = make_sample(lab_user, client=client, assay=assay, received_at=local(2026, 3, 2, 9))
    return {"project": project, "milestone": milestone, "kpi": kpi, "client": client, "assay": assay,
            "sample": sample}


INCUBATOR_PAGES = [("incubator:portfolio", None), ("incubator:project-list", None),
                   ("incubator:project-create", None), ("incubator:project-detail", "project"),
                   ("incubator:project-edit", "project"), ("incubator:project-stage", "project"),
                   ("incubator:milestone-create", "project"), ("incubator:funding-create", "project"),
                   ("incubator:kpi-create", "project"), ("incubator:note-create", "project"),
                   ("incubator:milestone-list", None), ("incubator:milestone-edit", "milestone"),
                   ("incubator:milestone-complete", "milestone"), ("incubator:funding-list", None),
                   ("incubator:kpi-edit", "kpi")]
LAB_PAGES = [("lab:throughput", None), ("lab:client-list", None), ("lab:client-create", None),
             ("lab:client-detail", "client"), ("lab:client-edit", "client"), ("lab:assay-list", None),
             ("lab:assay-create", None), ("lab:assay-detail", "assay"), ("lab:assay-edit", "assay"),
             ("lab:sample-list", None), ("lab:sample-receive", None), ("lab:sample-import", None),
             ("lab:sample-detail", "sample"), ("lab:sample-start", "sample"), ("lab:sample-report", "sample"),
             ("lab:sample-reject", "sample"), ("lab:sample-correct", "sample")]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_renders(world, client_for, incubator_user, lab_user, language):
    for user, pages, marker in ((incubator_user, INCUBATOR_PAGES, "孵化"), (lab_user, LAB_PAGES, "样本")):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for name, obj in pages:
            url = reverse(name, args=[world[obj].pk] if obj else [])
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if language == "zh-hans" and name in ("incubator:portfolio", "lab:sample-list"):
                assert marker in response.content.decode(), url
