"""Monitoring background work (lims.tasks): every five minutes, record points that fell silent and end their open
excursions at the last reading beyond limits with the gap recorded (``services.record_silent_points``)."""

from django.utils.translation import gettext_lazy as _

from lims.tasks import Periodic, register_periodic


def silent_points(ctx):
    from production.monitoring.services import record_silent_points

    ctx.save_result(data=record_silent_points(user=ctx.user))


register_periodic(Periodic("monitoring.silent_points", _("Close excursions of silent sensors"), silent_points,
                           schedule={"every_minutes": 5}, slot="minute"))
