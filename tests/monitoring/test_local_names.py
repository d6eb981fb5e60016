"""An excursion's name (its page heading, the audit trail's record name) gives the local time its page shows, not
UTC (issue 19: the heading said 18:59 while the page said 02:59 in Asia/Shanghai)."""

from datetime import UTC

import pytest
from django.utils import timezone

from tests.monitoring import factories

pytestmark = pytest.mark.django_db


def test_the_excursion_heading_and_name_use_local_time(client_for, production_user):
    excursion = factories.make_excursion(production_user, "test")
    local = f"{timezone.localtime(excursion.started_at):%Y-%m-%d %H:%M}"
    utc = f"{excursion.started_at.astimezone(UTC):%Y-%m-%d %H:%M}"
    assert local in str(excursion)
    if local != utc:  # the plant's zone is not UTC (Asia/Shanghai in the settings)
        assert utc not in str(excursion)
    html = client_for(production_user).get(excursion.get_absolute_url()).content.decode()
    heading = html.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert local in heading
