from django import forms
from django.utils.translation import gettext_lazy as _

from incubator.models import KPI, FundingEvent, Milestone, Project, TranslationStage
from lims.forms import ReasonField, VersionedForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(VersionedForm):
    reason = ReasonField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "translation_stage" in self.fields:  # the starting stage; screening unless said otherwise
            self.fields["translation_stage"].required = False

    class Meta:
        model = Project
        fields = ["code", "name", "company", "team_lead", "focus_area", "stage", "translation_stage", "entered_on",
                  "space_m2", "shared_equipment"]
        widgets = {"entered_on": DATE, "shared_equipment": forms.Textarea(attrs={"rows": 2})}


class ProjectEditForm(ProjectForm):
    """Editing never changes the stages: each is a dated move of its own (StageForm, TranslationStageForm)."""

    class Meta(ProjectForm.Meta):
        fields = [f for f in ProjectForm.Meta.fields if f not in ("stage", "translation_stage")]


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("New stage"))
    moved_on = forms.DateField(label=_("Moved on"), widget=DATE)
    reason = ReasonField(required=True)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [(s, Project.Stage(s).label) for s in project.next_stages()]


class TranslationStageForm(forms.Form):
    """A move along the translation pipeline: to the next stage, dated, with a reason and its evidence (a
    completed milestone of the project or a document)."""

    to_stage = forms.ChoiceField(label=_("New translation stage"))
    moved_on = forms.DateField(label=_("Moved on"), widget=DATE)
    milestone = forms.ModelChoiceField(Milestone.objects.none(), label=_("Evidence: a completed milestone"),
                                       required=False)
    document = forms.FileField(label=_("Evidence: a document"), required=False,
                               help_text=_("For example the business licence, the evaluation report or the pilot "
                                           "production report; kept with its SHA-256."))
    reason = ReasonField(required=True)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        following = project.next_translation_stage()
        self.fields["to_stage"].choices = [(following, TranslationStage(following).label)] if following else []
        self.fields["milestone"].queryset = project.milestones.filter(done_on__isnull=False).order_by("-done_on")


class MilestoneForm(VersionedForm):
    reason = ReasonField()

    class Meta:
        model = Milestone
        fields = ["title", "due_on", "evidence"]
        widgets = {"due_on": DATE, "evidence": forms.Textarea(attrs={"rows": 2})}


class CompleteMilestoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = ReasonField()


class FundingForm(forms.ModelForm):
    reason = ReasonField()

    class Meta:
        model = FundingEvent
        fields = ["kind", "source", "amount", "currency", "received_on"]
        widgets = {"received_on": DATE}


class KPIForm(VersionedForm):
    reason = ReasonField()

    class Meta:
        model = KPI
        fields = ["period", "staff", "revenue", "patents", "grants", "source"]


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
