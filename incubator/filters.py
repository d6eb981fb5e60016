import django_filters
from django.utils.translation import gettext_lazy as _

from incubator.models import FocusArea, FundingEvent, Milestone, Project, TranslationStage


class ProjectFilter(django_filters.FilterSet):
    focus_area = django_filters.ChoiceFilter(choices=FocusArea.choices, label=_("Focus area"))
    stage = django_filters.ChoiceFilter(choices=Project.Stage.choices, label=_("Stage"))
    translation_stage = django_filters.ChoiceFilter(choices=TranslationStage.choices, label=_("Translation stage"))

    class Meta:
        model = Project
        fields = ["focus_area", "stage", "translation_stage"]


class MilestoneFilter(django_filters.FilterSet):
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), label=_("Project"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue only"))
    open = django_filters.BooleanFilter(field_name="done_on", lookup_expr="isnull", label=_("Open"))

    class Meta:
        model = Milestone
        fields = ["project", "overdue", "open"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset


class FundingFilter(django_filters.FilterSet):
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), label=_("Project"))
    kind = django_filters.ChoiceFilter(choices=FundingEvent.Kind.choices, label=_("Kind"))
    year = django_filters.NumberFilter(field_name="received_on", lookup_expr="year", label=_("Year"))

    class Meta:
        model = FundingEvent
        fields = ["project", "kind", "year"]
