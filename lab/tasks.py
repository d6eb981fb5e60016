"""Lab background work (lims.tasks): every five minutes, recompute the throughput periods the sample services
marked stale (``lab.rollup.refresh``). The figures are exact meanwhile (lab.throughput ranks a stale period's day
arrays); the refresh only makes long windows cheap to read again."""

from django.utils.translation import gettext_lazy as _

from lims.tasks import Periodic, register_periodic

REFRESH_THROUGHPUT = "lab.refresh_throughput"


def refresh_throughput(ctx):
    from lab import rollup

    refreshed = rollup.refresh()
    if ctx is not None:
        ctx.save_result(data={"periods": refreshed})
    return refreshed


register_periodic(Periodic(REFRESH_THROUGHPUT, _("Recompute the lab throughput periods changed since the last run"),
                           refresh_throughput, schedule={"every_minutes": 5}, slot="minute"))
