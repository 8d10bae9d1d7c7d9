"""England's published figures to set beside a council's KPIs (docs/SCENARIO_FIGURES.md).

Source: DfE "Education, health and care plans" statistics (the SEN2 return), calendar years.
Only figures with the same definition as the KPI are used for a comparison, except where
``note`` says otherwise. Update this table when the DfE publishes a new year.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class EnglandFigure(BaseModel):
    model_config = ConfigDict(frozen=True)

    percent: float
    year: int
    note: str


#: KPI key -> {calendar year: (percent, note)}.
_FIGURES: dict[str, dict[int, tuple[float, str]]] = {
    "plans-20-weeks-excluding-exceptions": {
        2019: (60.4, "new plans within 20 weeks excluding exceptions"),
        2021: (59.9, "new plans within 20 weeks excluding exceptions"),
        2022: (49.2, "new plans within 20 weeks excluding exceptions"),
        2023: (50.3, "new plans within 20 weeks excluding exceptions"),
        2024: (46.4, "new plans within 20 weeks excluding exceptions"),
    },
    "plans-20-weeks-including-exceptions": {
        2019: (58.7, "new plans within 20 weeks including exceptions"),
    },
    "review-decisions-4-weeks": {
        2025: (
            47.9,
            "review decisions within 4 weeks, pupils aged 10 only "
            "(13,267 of 27,712; new collection)",
        ),
    },
    "reviews-12-months": {
        2025: (
            73.7,
            "reviews completed of those expected, pupils aged 10 only "
            "(27,712 of 37,622; not a timeliness measure)",
        ),
    },
}


def england(key: str, year: int) -> EnglandFigure | None:
    """The latest published figure for ``key`` from ``year`` or before (None if none)."""
    years = [y for y in _FIGURES.get(key, {}) if y <= year]
    if not years:
        return None
    latest = max(years)
    percent, note = _FIGURES[key][latest]
    return EnglandFigure(percent=percent, year=latest, note=note)
