"""Environmental monitoring's part of the batch record (production/record.py): the room conditions while the
batch was made (min / mean / max per parameter) and the excursions that touched it with QA's assessment
(DOMAIN.md §2, §4). Registered from MonitoringConfig.ready()."""

from django.utils.translation import gettext as _

from lims.pdf import Section, local
from lims.signatures import printed_name
from production.monitoring.conditions import conditions_for_batch


def _f(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def room_sections(batch) -> list[Section]:
    c = conditions_for_batch(batch)
    if c["start"] is None:
        return [Section(_("Room conditions"), text=_("The batch has not been started."))]
    rows = [[_("Parameter"), _("Minimum"), _("Mean"), _("Maximum"), _("Readings")]]
    for r in c["rows"]:
        rows.append([str(r["label"]), _f(r["min"]), _f(r["mean"]), _f(r["max"]), r["count"]])
    interval = _("%(start)s to %(end)s, room %(room)s") % {"start": local(c["start"]), "end": local(c["end"]),
                                                          "room": batch.line.clean_room}
    conditions = Section(_("Room conditions"), rows if len(rows) > 1 else (), note=interval if len(rows) > 1 else "",
                         text=_("No readings in the room during this interval.") + " " + interval)
    rows = [[_("Excursion"), _("Level"), _("Started at"), _("Ended at"), _("Assessment")]]
    for e in c["excursions"]:
        assessment = getattr(e, "assessment", None) if e.is_assessed else None
        if assessment is not None:
            verdict = (f"{assessment.get_conclusion_display()}: {assessment.impact} — "
                       f"{printed_name(assessment.assessed_by)}")
        else:
            verdict = _("not assessed") if e.level == "action" else _("alert level: no assessment required")
        rows.append([str(e), e.get_level_display(), local(e.started_at), local(e.ended_at), verdict])
    excursions = Section(_("Excursions"), rows if len(rows) > 1 else (),
                         text=_("No excursion in the room during production."),
                         widths=(0.25, 0.09, 0.16, 0.16, 0.34))
    return [conditions, excursions]
