"""The filters of production's lists (batches, material lots, master data, monitoring) read as form labels: each
starts with a capital letter and is translated (issue 19: the monitoring filters read "clean room", "level"…)."""

import pytest
from django.utils import translation
from django_filters import FilterSet

from production import filters
from production.monitoring import filters as monitoring_filters

FILTERSETS = [cls for module in (filters, monitoring_filters) for cls in vars(module).values()
              if isinstance(cls, type) and issubclass(cls, FilterSet) and cls is not FilterSet]


def test_every_production_filterset_is_checked():
    names = {cls.__name__ for cls in FILTERSETS}
    assert {"BatchFilter", "MaterialLotFilter", "ExcursionFilter", "PointFilter", "LimitFilter"} <= names


@pytest.mark.parametrize("filterset", FILTERSETS, ids=lambda cls: cls.__name__)
def test_every_filter_label_is_capitalised_and_translated(filterset):
    with translation.override("en"):
        english = {name: str(f.label) for name, f in filterset.base_filters.items()}
    with translation.override("zh-hans"):
        chinese = {name: str(f.label) for name, f in filterset.base_filters.items()}
    assert [name for name, label in english.items() if not label[:1].isupper()] == [], english
    assert [name for name in english if chinese[name] == english[name]] == [], chinese


@pytest.mark.django_db
def test_the_excursion_filters_show_their_labels_on_the_page(client_for, production_user):
    client = client_for(production_user)
    english = client.get("/production/monitoring/").content.decode()
    for label in ("Clean room", "Monitoring point", "Parameter", "Level", "Assessed", "Open", "Batch (lot number)"):
        assert f">{label}</label>" in english, label
    assert ">clean room</label>" not in english and ">level</label>" not in english
    chinese = client.get("/production/monitoring/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">Clean room</label>" not in chinese and ">Level</label>" not in chinese


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/qc/inspections/", "/qc/deviations/", "/qc/dispositions/",
                                  "/regulatory/shipments/", "/lab/samples/", "/incubator/projects/"])
def test_every_list_filter_label_starts_with_a_capital(client_for, admin_user, path):
    """Whatever an app's filter declares (a model field's lower-case verbose name too), the shared list page
    shows the label capitalised."""
    import re

    html = client_for(admin_user).get(path).content.decode()
    labels = re.findall(r'<label class="form-label small" for="[^"]+">([^<]+)</label>', html)
    assert labels, f"{path} shows no filter"
    assert [label for label in labels if not label[:1].isupper()] == [], labels
