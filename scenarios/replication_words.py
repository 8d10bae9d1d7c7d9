"""How a run's replications are put in words, the same on the command line and the web page:
how long, how precise, and why the run stopped where it did (``scenarios.replications``)."""

from __future__ import annotations

from scenarios.replications import UNIT, Measure, Outcome, Rule, Stop


def duration(seconds: float) -> str:
    """A time as people read it: "0.25 s", "4.2 s", "38 s", "2 min 5 s", "1 h 10 min"."""
    if seconds < 1:
        return f"{seconds:.2g} s"
    if seconds < 10:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if not minutes:
        return f"{secs} s"
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min {secs} s" if secs else f"{minutes} min"


def plus_minus(value: float) -> str:
    """Plus or minus a precision: "±1.0", with the digits a small one needs ("±0.04", not
    "±0.0")."""
    return f"±{value:.1f}" if value >= 0.095 or value == 0 else f"±{value:.2g}"


def target_words(rule: Rule) -> str:
    """What a run without a given number of replications runs until."""
    budget = f", or {duration(rule.time_budget)}" if rule.time_budget else ""
    return (
        f"{plus_minus(rule.precision)} points on {Measure.IN_TIME} and "
        f"{plus_minus(rule.precision_weeks)} weeks on {Measure.CLEARANCE} (90% confidence)"
        f"{budget}"
    )


def outcome_words(outcome: Outcome, rule: Rule, options: int = 1) -> str:
    """How many replications ran, why, and the precision reached (for several options, the
    widest of any): the line under a run's summary."""
    n = outcome.replications
    ran = f"{n:,} replication{'s' if n != 1 else ''}{' each' if options > 1 else ''}"
    why = {
        Stop.GIVEN: "",
        Stop.PRECISE: ", enough for the precision asked",
        Stop.BUDGET: f", all the {duration(rule.time_budget or 0)} time budget allowed",
        Stop.MAXIMUM: f", the most a run chooses ({rule.maximum:,})",
    }[outcome.stop]
    reached = []
    for measure in Measure:
        found = [e for e in outcome.estimates if e.measure is measure]
        if not found:
            continue
        widest = max(found, key=lambda e: e.half_width)
        text = f"{plus_minus(widest.half_width)} {UNIT[measure]} on {measure}"
        if options > 1:
            text += f" ({widest.option})"
        if not widest.met and outcome.stop is not Stop.GIVEN:
            text += f" (asked: {plus_minus(widest.target)})"
        reached.append(text)
    if not reached:
        return f"{ran}{why}; too few to give a confidence interval."
    widest_of = "at most " if options > 1 else ""
    return f"{ran}{why}; 90% confidence {widest_of}{', '.join(reached)}."
