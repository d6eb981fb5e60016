"""Numbers from standards and plant practice, kept as data with their source (STYLE.md: no hard-coded
regulatory numbers in the logic). A plant overrides them in ``settings.MONITORING``; the limits actually used
are ``Limit`` rows (versioned, with who set them and why) — these values only seed a room's first limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

ISO_14644_1 = "ISO 14644-1:2015, formula (1): C = 10^N × (0.1/D)^2.08 particles/m³"

DEFAULTS = {
    # Alert limit for particles = this fraction of the class (action) limit: an early warning set from trend
    # data (DOMAIN.md §4); 70 % is a common starting point until enough trend data exists.
    "alert_fraction": 0.7,
    "alert_fraction_source": "Plant practice: alert at 70 % of the ISO 14644-1 class limit until trend data exists",
    # A gap in the data longer than this closes an excursion (the counter or sensor stopped reporting).
    "max_gap_minutes": 10,
    # Room set points: (alert_low, alert_high, action_low, action_high, source). DOMAIN.md §4: "check, keep as
    # data". Alert levels sit inside the action range so that a drift is seen before the limit is reached.
    "set_points": {
        "temperature_c": (19.0, 27.0, 18.0, 28.0, "Plant practice: typical room set point 18–28 °C"),
        "humidity_pct": (47.0, 63.0, 45.0, 65.0, "Plant practice: typical room set point 45–65 % RH"),
        "pressure_pa": (12.0, None, 10.0, None,
                        "EU GMP Annex 1 guidance: ≥ 10 Pa between a clean area and a less clean one"),
    },
}


def conf(key):
    return getattr(settings, "MONITORING", {}).get(key, DEFAULTS[key])


def max_gap() -> timedelta:
    return timedelta(minutes=float(conf("max_gap_minutes")))


PARTICLE_SIZES_UM = {"particles_0_5um": 0.5, "particles_5um": 5.0}


def _round_like_the_table(value: float) -> int:
    """ISO 14644-1 Table 1 gives class limits to three significant figures (3 520 000, 29 300, 2 930)."""
    if value <= 0:
        return 0
    digits = int(math.floor(math.log10(value))) - 2
    return int(round(value / 10**digits) * 10**digits) if digits > 0 else int(round(value))


def iso_class_limit(iso_class: float, size_um: float) -> int:
    """Maximum concentration (particles/m³ ≥ ``size_um``) for ISO class N: C = 10^N × (0.1/D)^2.08."""
    return _round_like_the_table(10**iso_class * (0.1 / size_um) ** 2.08)


@dataclass(frozen=True)
class DefaultLimit:
    parameter: str
    alert_low: float | None
    alert_high: float | None
    action_low: float | None
    action_high: float | None
    source: str


def default_limits(iso_class: int) -> list[DefaultLimit]:
    """The first limits of a room of ``iso_class``: particles from the class, the rest from the set points."""
    fraction = float(conf("alert_fraction"))
    rows = []
    for parameter, size in PARTICLE_SIZES_UM.items():
        action = iso_class_limit(iso_class, size)
        rows.append(DefaultLimit(parameter, None, float(round(action * fraction)), None, float(action),
                                 f"{ISO_14644_1}, ISO {iso_class}, ≥{size} µm; alert: {conf('alert_fraction_source')}"))
    for parameter, (alert_low, alert_high, action_low, action_high, source) in conf("set_points").items():
        rows.append(DefaultLimit(parameter, alert_low, alert_high, action_low, action_high, source))
    return rows
