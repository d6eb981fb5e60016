from django.contrib import admin

from lab.models import Assay, Client, Sample
from lims.admin import ReadOnlyAdmin

for _model in (Client, Assay, Sample):
    admin.site.register(_model, ReadOnlyAdmin)
