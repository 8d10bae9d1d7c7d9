"""Monthly bar charts as inline SVG, drawn on the server: no script, readable without colour.

Every chart is an image to assistive technology (``role="img"`` named by its ``<title>`` and
described by its ``<desc>``), prints its value as text above each bar ("none" for a month with
nothing counted), and draws the target as a dashed line labelled in words. The page puts a
table of the same figures beside it: the chart is never the only way to read them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 52, 100, 24, 56
"""Margins: the y-axis labels on the left, the target's label on the right, months below."""
BAR = "#1d70b8"  # GOV.UK blue: 5.2:1 against white
INK = "#0b0c0c"
GRID = "#b1b4b6"
TICKS = (0, 25, 50, 75, 100)


@dataclass(frozen=True, slots=True)
class Bar:
    """One month: ``label`` as the table shows it ("Jan 2026"), ``short`` under its bar."""

    label: str
    short: str
    value: float | None
    """None: nothing counted that month (no bar, "none" written instead)."""
    year: str = ""
    """Written under the bar too (the first month and each January)."""


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def describe(bars: Sequence[Bar], target: float | None, what: str) -> str:
    """The chart in words: its span, target, highest and lowest month, months with nothing."""
    if not bars:
        return f"{what}: no months to show."
    counted = [b for b in bars if b.value is not None]
    parts = [f"{what}, each month from {bars[0].label} to {bars[-1].label}."]
    if target is not None:
        parts.append(f"Target {_number(target)}%.")
    if counted:
        high = max(counted, key=lambda b: b.value or 0.0)
        low = min(counted, key=lambda b: b.value or 0.0)
        parts.append(
            f"Highest {_number(high.value or 0.0)}% ({high.label}), "
            f"lowest {_number(low.value or 0.0)}% ({low.label})."
        )
        if target is not None:
            met = sum(1 for b in counted if (b.value or 0.0) >= target)
            months = f"{len(counted)} month" + ("" if len(counted) == 1 else "s")
            parts.append(f"At or above target in {met} of the {months} with cases.")
    empty = len(bars) - len(counted)
    if empty:
        parts.append(f"{empty} {'month' if empty == 1 else 'months'} with no cases.")
    parts.append("The table beside the chart gives every month's figures.")
    return " ".join(parts)


def bar_chart(
    chart_id: str, title: str, bars: Sequence[Bar], *, target: float | None, what: str
) -> Markup:
    """An SVG bar chart of percentages (0 to 100) with the target line, as safe markup."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h

    def y(value: float) -> float:
        return base - plot_h * max(0.0, min(100.0, value)) / 100

    slot = plot_w / max(1, len(bars))
    width = slot * 0.6
    ids = f"{chart_id}-title {chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ehc-chart" role="img" '
        f'aria-labelledby="{escape(ids)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" font-family="arial, sans-serif">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(describe(bars, target, what))}</desc>',
    ]
    for tick in TICKS:
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{LEFT + plot_w}" y2="{ty:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" font-size="14" '
            f'fill="{INK}">{tick}%</text>'
        )
    for i, bar in enumerate(bars):
        centre = LEFT + slot * i + slot / 2
        if bar.value is None:
            parts.append(
                f'<text class="value" x="{centre:.1f}" y="{base - 4}" text-anchor="middle" '
                f'font-size="13" fill="{INK}">none</text>'
            )
        else:
            top = y(bar.value)
            parts.append(
                f'<rect x="{centre - width / 2:.1f}" y="{top:.1f}" width="{width:.1f}" '
                f'height="{base - top:.1f}" fill="{BAR}"/>'
                f'<text class="value" x="{centre:.1f}" y="{top - 4:.1f}" text-anchor="middle" '
                f'font-size="13" fill="{INK}">{_number(bar.value)}%</text>'
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{base + 16}" text-anchor="middle" font-size="14" '
            f'fill="{INK}">{escape(bar.short)}</text>'
        )
        if bar.year:
            parts.append(
                f'<text x="{centre:.1f}" y="{base + 34}" text-anchor="middle" font-size="14" '
                f'fill="{INK}">{escape(bar.year)}</text>'
            )
    parts.append(
        f'<line x1="{LEFT}" y1="{base}" x2="{LEFT + plot_w}" y2="{base}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    if target is not None and math.isfinite(target):
        ty = y(target)
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{LEFT + plot_w}" y2="{ty:.1f}" '
            f'stroke="{INK}" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{LEFT + plot_w + 6}" y="{ty + 4:.1f}" font-size="14" '
            f'fill="{INK}">Target {_number(target)}%</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
