from django.contrib import admin

from incubator.models import KPI, FundingEvent, Milestone, Note, Project, StageTransition
from lims.admin import ReadOnlyAdmin

for _model in (Project, StageTransition, Milestone, FundingEvent, KPI, Note):
    admin.site.register(_model, ReadOnlyAdmin)
