"""Appeals to the Tribunal and the orders that follow (``[tribunal]``, ``scenarios.tribunal``).

An appeal follows only a decision the law lets a family appeal; an order, or a concession,
starts the clock the rules core declares (regs 44-45), and complying with it is caseworker and
psychology work that goes before any other: in time when the hours are there, late when not.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from scenarios import engine, model, report, results
from scenarios import tribunal as tb
from scenarios.calendar import weeks
from scenarios.casefile import SimCase
from scenarios.model import ScenarioError
from statutory import assessment as rules
from statutory.clock_processes import TRIBUNAL_ORDER
from statutory.clocks import calculate
from statutory.dates import days_beginning_with, months_after, weeks_after

from .helpers import raw, variant

NAME = "unitary-2020-as-planned"


def figure(value: Any) -> dict[str, Any]:
    return {"value": value, "assumed": True}


def section(**changes: Any) -> dict[str, Any]:
    """A ``[tribunal]`` section: every decision of each kind appealed at the given shares,
    settled before a short wait for a hearing, or decided there."""
    data: dict[str, Any] = {
        "share_appealed": {
            "refusal_to_assess": figure(0.3),
            "refusal_to_issue": figure(0.3),
            "contents": figure(0.2),
        },
        "weeks_to_hearing": figure([4, 8, 12]),
        "share_conceded": figure(0.25),
        "share_withdrawn": figure(0.1),
        "share_ordered": figure(0.95),
        "hours_per_task": {
            "notify": figure(1),
            "draft": figure(10),
            "final": figure(2),
            "amend": figure(4),
        },
    }
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node[key]
        node[last] = value
    return data


def with_tribunal(
    changes: dict[str, Any] | None = None,
    *,
    name: str = NAME,
    extra: dict[str, Any] | None = None,
) -> model.Scenario:
    """``name`` for 60 weeks with ``section(**changes)``, and ``extra`` changes elsewhere."""
    tribunal = section(**(changes or {}))
    return variant(name, {"scenario.weeks": 60, "tribunal": tribunal, **(extra or {})})


# --- the limits are the rules core's ----------------------------------------------------------


@pytest.mark.parametrize("made", [date(2026, 12, 2), date(2024, 2, 29), date(2025, 12, 24)])
def test_an_order_made_on_a_day_has_the_limits_the_rules_core_declares(made: date) -> None:
    """reg 44(2)(b) notify in 2 weeks, decide not to issue in 10, final in 14; (c) draft in 5,
    final in 11; (e) amend in 5; (f) school in 2: from ``TRIBUNAL_ORDER``, by its calculator."""
    for kind in ("assess", "make-plan", "amend", "school"):
        assert tb.order_dates(kind, made) == calculate(TRIBUNAL_ORDER.name, kind, {"order": made})
    assert tb.order_dates("assess", made) == {
        "notify_by": weeks_after(made, 2),
        "decide_not_to_issue_by": weeks_after(made, 10),
        "final_plan_by": weeks_after(made, 14),
    }
    assert tb.order_dates("make-plan", made) == {
        "draft_by": weeks_after(made, 5),
        "final_plan_by": weeks_after(made, 11),
    }
    assert tb.order_dates("amend", made) == {"final_plan_by": weeks_after(made, 5)}
    assert tb.order_dates("school", made) == {"final_plan_by": weeks_after(made, 2)}
    # the appeal window: 2 months from the notice (Tribunal rules r20(1))
    assert tb.appeal_by("contents", made) == months_after(made, 2)


# --- appeals follow appealable decisions only ---------------------------------------------------


def appealing_scenario() -> model.Scenario:
    """The unitary council for 60 weeks with many withdrawals and appeals of every kind."""
    return with_tribunal(
        name="unitary-2020-phase-transfers-and-withdrawals",
        extra={"decisions.share_withdrawn": figure(0.2)},
    )


@pytest.fixture(scope="module")
def appealing() -> engine.Run:
    """A run of ``appealing_scenario``, keeping its cases and appeals."""
    return engine.simulate(appealing_scenario(), 2, keep_cases=True)


def test_appeals_follow_only_appealable_decisions_within_their_window(
    appealing: engine.Run,
) -> None:
    cases = {c.id: c for c in appealing.cases}
    appeals = appealing.appeals
    assert {a.kind for a in appeals} == {"refusal-to-assess", "refusal-to-issue", "contents"}
    for appeal in appeals:
        case = cases[appeal.case_id]
        assert tb.APPEAL_KINDS[case.ending] == appeal.kind, appeal  # type: ignore[index]
        assert case.closed_on == appeal.notice
        assert appeal.notice < appeal.registered <= months_after(appeal.notice, 2)
        assert appeal.registered <= appeal.ended <= appeal.hearing
    appealed = {a.case_id for a in appeals}
    withdrawn = [c for c in appealing.cases if c.ending is rules.Ending.WITHDRAWN]
    assert withdrawn and not appealed & {c.id for c in withdrawn}, "a withdrawal is no decision"
    assert not appealed & {c.id for c in appealing.cases if c.ending is None}
    # every appealable decision is counted, in the week it was made
    first = appealing_scenario().scenario.start
    decisions = [0.0] * len(appealing.weekly[tb.APPEALABLE])
    for case in appealing.cases:
        if case.ending in tb.APPEAL_KINDS:
            assert case.closed_on is not None
            decisions[(case.closed_on - first).days // 7] += 1
    assert appealing.weekly[tb.APPEALABLE] == decisions


def test_appeals_end_as_drawn_and_orders_follow_concessions_and_upheld_appeals(
    appealing: engine.Run,
) -> None:
    appeals = appealing.appeals
    outcomes = {a.outcome for a in appeals}
    assert outcomes == {"conceded", "withdrawn", "upheld", "dismissed"}
    for appeal in appeals:
        if appeal.outcome in ("conceded", "upheld"):
            order = appeal.order
            assert order is not None
            assert order.made == appeal.ended
            assert order.conceded == (appeal.outcome == "conceded")
            assert order.kind == {
                "refusal-to-assess": "assess",
                "refusal-to-issue": "make-plan",
            }.get(appeal.kind, "amend")
            assert order.limits == calculate(TRIBUNAL_ORDER.name, order.kind, {"order": order.made})
        else:
            assert appeal.order is None
        if appeal.outcome in ("upheld", "dismissed"):
            assert appeal.ended == appeal.hearing
    orders = [a.order for a in appeals if a.order is not None]
    horizon = len(appealing.weekly[tb.ORDERS])
    first = appealing_scenario().scenario.start
    counted = [o for o in orders if (o.made - first).days // 7 < horizon]
    assert sum(appealing.weekly[tb.ORDERS]) == len(counted)
    assert sum(appealing.weekly[tb.CONCESSIONS]) == sum(o.conceded for o in counted)


def test_no_share_appealed_no_appeal_and_the_run_is_the_one_without_appeals() -> None:
    none = {
        f"share_appealed.{k}": figure(0.0)
        for k in ("refusal_to_assess", "refusal_to_issue", "contents")
    }
    scenario = with_tribunal(none)
    run = engine.simulate(scenario, 4, keep_cases=True)
    assert run.appeals == []
    for name in tb.SERIES:
        if name != tb.APPEALABLE:
            assert not any(run.weekly[name]), name
    assert sum(run.weekly[tb.APPEALABLE]) > 100
    # the appeals' generator is their own: the rest of the run is draw for draw the same
    without = engine.simulate(variant(NAME, {"scenario.weeks": 60}), 4, keep_cases=True)
    for name in engine.SERIES:
        assert run.weekly[name] == without.weekly[name], name
    assert run.events == without.events
    assert set(run.weekly) - set(without.weekly) == set(tb.SERIES)


def test_a_decision_meets_the_same_appeal_whatever_the_capacity() -> None:
    """Common random numbers: with fewer caseworkers and psychologists the same decisions come
    on other days, and each is appealed, or not, as it was, and its appeal ends the same way."""

    def decided(
        caseworkers: int, psychology: int
    ) -> tuple[dict[int, SimCase], dict[int, tb.Appeal]]:
        capacity = {
            "capacity.caseworkers": figure(caseworkers),
            "capacity.psychology_per_week": figure(psychology),
        }
        scenario = with_tribunal(
            name="unitary-2020-phase-transfers-and-withdrawals", extra=capacity
        )
        run = engine.simulate(scenario, 6, keep_cases=True)
        appealable = {c.id: c for c in run.cases if c.ending in tb.APPEAL_KINDS}
        return appealable, {a.case_id: a for a in run.appeals}

    cases, appeals = decided(5, 5)
    short_cases, short_appeals = decided(3, 3)
    both = [
        i for i in cases.keys() & short_cases.keys() if cases[i].ending is short_cases[i].ending
    ]
    moved = [i for i in both if cases[i].closed_on != short_cases[i].closed_on]
    assert len(both) > 150 and len(moved) > 50, "the capacity moves the decisions"
    appealed = [i for i in both if i in appeals]
    assert 10 < len(appealed) < len(both) / 2 and set(appealed) & set(moved)
    assert [i for i in both if i in short_appeals] == appealed
    for i in appealed:
        appeal, short = appeals[i], short_appeals[i]
        assert appeal.outcome == short.outcome, i
        assert appeal.hearing - appeal.registered == short.hearing - short.registered, i
        assert (appeal.order and appeal.order.kind) == (short.order and short.order.kind), i


def test_a_scenario_without_the_section_records_no_appeal_series() -> None:
    scenario = variant(NAME, {"scenario.weeks": 10})
    assert not set(tb.SERIES) & set(engine.series_of(scenario))
    assert not set(tb.SERIES) & set(engine.simulate(scenario, 0).weekly)
    result = results.ScenarioResult(scenario, [engine.simulate(scenario, 0)])
    assert result.find(tb.REGISTERED) is None
    assert report.tribunal_words(result) == ""


# --- the orders' work -------------------------------------------------------------------------

REFUSALS_OVERTURNED = {
    "share_appealed.refusal_to_assess": figure(1.0),
    "share_appealed.refusal_to_issue": figure(0.0),
    "share_appealed.contents": figure(0.0),
    "share_conceded": figure(0.0),
    "share_withdrawn": figure(0.0),
    "share_ordered": figure(1.0),
}


def test_an_overturned_refusal_to_assess_leads_to_the_work_of_an_assessment() -> None:
    """reg 44(2)(b): the family told within 2 weeks, advice asked for that day (psychology from
    the council's own capacity), then a decision not to issue or a draft, the 15 days for
    representations (reg 13(1)), and the final plan; a plan made joins the plans in force."""
    scenario = with_tribunal(REFUSALS_OVERTURNED)
    run = engine.simulate(scenario, 1, keep_cases=True)
    orders = [a.order for a in run.appeals if a.order is not None]
    assert orders and {o.kind for o in orders} == {"assess"}
    done = [o for o in orders if o.ending is not None]
    assert {o.ending for o in done} == {"complied", "not-issued"}
    for order in done:
        notified = order.done["notify_by"]
        assert order.made <= notified
        assert order.ep_ready is not None and order.ep_ready >= notified
        assert order.other_done is not None and order.other_done >= notified
        if order.ending == "complied":
            final = order.done["final_plan_by"]
            assert final > days_beginning_with(order.ep_ready, rules.REPRESENTATION_DAYS)
            assert order.closed_on == final
        else:
            assert order.closed_on == order.done["decide_not_to_issue_by"]
        assert order.in_time == all(d <= order.limits[k] for k, d in order.done.items())
    assert sum(run.weekly[tb.ORDERS_COMPLIED]) == len(done)


def _contents_conceded(**changes: Any) -> model.Scenario:
    """Every plan's contents appealed and conceded within days (reg 45(4)): an amended plan due
    5 weeks after each concession, with no lead time of the council's own."""
    return with_tribunal(
        {
            "share_appealed.refusal_to_assess": figure(0.0),
            "share_appealed.refusal_to_issue": figure(0.0),
            "share_appealed.contents": figure(1.0),
            "share_conceded": figure(1.0),
            "share_withdrawn": figure(0.0),
            "weeks_to_hearing": figure([1, 1, 1]),
            **changes,
        },
        extra={"timings.finalising": figure([0, 0, 0])},
    )


def test_orders_are_complied_with_in_time_when_the_hours_are_there() -> None:
    run = engine.simulate(_contents_conceded(), 3)
    complied = sum(run.weekly[tb.ORDERS_COMPLIED])
    assert complied > 100
    assert sum(run.weekly[tb.ORDERS_IN_TIME]) == complied
    assert not any(run.weekly[tb.ORDERS_PAST_LIMIT])


def test_orders_go_late_when_the_hours_are_short_and_take_hours_from_the_rest() -> None:
    """An amended plan needing a third of a week of the council's hours: orders pile up past
    their 5 weeks, and the hours they take first leave fewer plans issued (and so fewer
    appeals)."""
    scenario = _contents_conceded(**{"hours_per_task.amend": figure(100)})
    run = engine.simulate(scenario, 3)
    complied = sum(run.weekly[tb.ORDERS_COMPLIED])
    in_time = sum(run.weekly[tb.ORDERS_IN_TIME])
    assert complied > 20
    assert in_time < 0.5 * complied
    assert max(run.weekly[tb.ORDERS_PAST_LIMIT]) > 10
    plenty = engine.simulate(_contents_conceded(), 3)
    assert sum(run.weekly["plans_issued"]) < sum(plenty.weekly["plans_issued"])


def test_school_only_orders_have_two_weeks() -> None:
    scenario = _contents_conceded(school_only_share=figure(1.0))
    run = engine.simulate(scenario, 5, keep_cases=True)
    orders = [a.order for a in run.appeals if a.order is not None]
    assert orders and {o.kind for o in orders} == {"school"}
    assert all(o.limits == {"final_plan_by": weeks_after(o.made, 2)} for o in orders)


def _tribunal_alone(hours: float, policy: model.Policy) -> tb.Tribunal:
    """The module driven by hand: 30 plans' contents conceded, then 40 weeks of ``hours``."""
    scenario = _contents_conceded(**{"hours_per_task.amend": figure(10)})
    scenario = scenario.model_copy(
        update={"priority": scenario.priority.model_copy(update={"policy": policy})}
    )
    court = tb.Tribunal(scenario, 0, lambda book, on: None, keep=True)
    for i in range(30):
        court.decided(i, rules.Ending.PLAN_ISSUED, scenario.scenario.start + timedelta(days=i % 5))
    for week in weeks(scenario)[:40]:
        court.work(dataclasses.replace(week, statutory_hours=hours))
        court.count(week)
    return court


@pytest.mark.parametrize("policy", list(model.Policy))
def test_with_hours_for_one_order_a_week_orders_go_late_whatever_the_policy(
    policy: model.Policy,
) -> None:
    short, plenty = _tribunal_alone(10, policy), _tribunal_alone(1000, policy)
    assert sum(plenty.counts[tb.ORDERS_IN_TIME]) == sum(plenty.counts[tb.ORDERS_COMPLIED]) == 30
    assert not any(plenty.past_limit)
    assert sum(short.counts[tb.ORDERS_COMPLIED]) == 30, "all done in 40 weeks"
    assert max(short.counts[tb.ORDERS_COMPLIED]) == 1, "one a week"
    assert sum(short.counts[tb.ORDERS_IN_TIME]) <= 15
    assert max(short.past_limit) > 10


def test_new_in_time_first_keeps_more_orders_in_time_than_oldest_first() -> None:
    """Steps within their limit first: the orders already late wait, the others stay in time."""
    in_time = {
        policy: sum(_tribunal_alone(10, policy).counts[tb.ORDERS_IN_TIME])
        for policy in (model.Policy.OLDEST_FIRST, model.Policy.NEW_IN_TIME_FIRST)
    }
    assert in_time[model.Policy.NEW_IN_TIME_FIRST] > in_time[model.Policy.OLDEST_FIRST]


def test_a_plan_made_under_an_order_joins_the_plans_in_force_and_an_amended_one_does_not() -> None:
    """reg 44(2)(c): a plan made under an order is a plan like any other (reviews fall due from
    it); an amended plan is the plan already in force."""
    scenario = with_tribunal(
        {
            "share_appealed.refusal_to_assess": figure(0.0),
            "share_appealed.refusal_to_issue": figure(1.0),
            "share_appealed.contents": figure(1.0),
            "share_conceded": figure(1.0),
            "share_withdrawn": figure(0.0),
            "weeks_to_hearing": figure([1, 1, 1]),
        }
    )
    made: list[date] = []
    court = tb.Tribunal(scenario, 0, lambda book, on: made.append(on), keep=True)
    start = scenario.scenario.start
    for i in range(20):
        court.decided(i, rules.Ending.NOT_ISSUED, start + timedelta(days=i % 3))
        court.decided(100 + i, rules.Ending.PLAN_ISSUED, start + timedelta(days=i % 3))
    for week in weeks(scenario)[:20]:
        court.work(week)
        court.count(week)
    orders = [a.order for a in court.appeals if a.order is not None]
    plans = sorted(o.done["final_plan_by"] for o in orders if o.kind == "make-plan")
    assert len(plans) == 20 and sorted(made) == plans
    assert len([o for o in orders if o.kind == "amend" and o.ending == "complied"]) == 20


# --- the results ------------------------------------------------------------------------------


def test_the_summary_csv_and_report_give_the_appeals_and_orders(
    appealing: engine.Run, tmp_path: Path
) -> None:
    result = results.ScenarioResult(appealing_scenario(), [appealing])
    registered = sum(appealing.weekly[tb.REGISTERED])
    assert result.measure(tb.REGISTERED).median == registered
    assert result.measure("appeals_per_100_decisions").median == pytest.approx(
        100 * registered / sum(appealing.weekly[tb.APPEALABLE])
    )
    assert result.measure("orders_in_time").median == pytest.approx(
        100 * sum(appealing.weekly[tb.ORDERS_IN_TIME]) / sum(appealing.weekly[tb.ORDERS_COMPLIED])
    )
    results.write_csv(result, tmp_path)
    header = (tmp_path / "weekly.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    for name in tb.SERIES:
        assert f"{name}_median" in header
    summary = (tmp_path / "summary.csv").read_text(encoding="utf-8")
    for key in (tb.REGISTERED, "appeals_per_100_decisions", tb.ORDERS, "orders_in_time"):
        assert f"\n{key}," in summary
    words = report.tribunal_words(result)
    assert words.startswith(f"{round(registered):,} appeals to the Tribunal registered (")
    assert "per 100 appealable decisions" in words and "met every limit" in words
    rows = {row.key: row for row in report.summary_rows(result)}
    assert rows["orders_in_time"].median.endswith("%")


# --- the file ---------------------------------------------------------------------------------


def _error(tribunal: dict[str, Any]) -> str:
    data = copy.deepcopy(raw(NAME))
    data["tribunal"] = tribunal
    with pytest.raises(ScenarioError) as caught:
        model.parse(data, "council.toml")
    return str(caught.value)


def test_a_tribunal_figure_without_its_source_is_refused() -> None:
    tribunal = section()
    tribunal["share_conceded"] = {"value": 0.2}
    assert _error(tribunal) == (
        'council.toml: tribunal.share_conceded: every figure needs source = "..." or assumed = true'
    )
    tribunal = section()
    del tribunal["hours_per_task"]["amend"]["assumed"]
    assert "tribunal.hours_per_task.amend: every figure needs source" in _error(tribunal)


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("share_appealed.contents", 1.2, "must be at most 1, not 1.2"),
        ("share_ordered", -0.1, "must be at least 0, not -0.1"),
        ("weeks_to_hearing", [20, 10, 30], "needs [low, most likely, high]"),
        ("hours_per_task.notify", -1, "must be at least 0, not -1"),
    ],
)
def test_a_tribunal_figure_out_of_range_is_refused(key: str, value: Any, problem: str) -> None:
    assert f"council.toml: tribunal.{key}: {problem}" in _error(section(**{key: figure(value)}))


def test_shares_settled_before_the_hearing_cannot_exceed_the_appeals() -> None:
    message = _error(section(share_conceded=figure(0.7), share_withdrawn=figure(0.5)))
    assert message == (
        "council.toml: tribunal: share_conceded (0.7) and share_withdrawn (0.5) add up to more "
        "than 1: both are shares of the appeals registered"
    )


def test_a_missing_or_misspelt_tribunal_key_is_named() -> None:
    tribunal = section()
    del tribunal["share_ordered"]
    assert _error(tribunal) == "council.toml: tribunal.share_ordered: missing (required)"
    tribunal = section()
    tribunal["share_appealed"]["refusal_to_asess"] = tribunal["share_appealed"].pop(
        "refusal_to_assess"
    )
    assert _error(tribunal) == (
        "council.toml: tribunal.share_appealed.refusal_to_asess: unknown key "
        "(did you mean 'refusal_to_assess'?)"
    )
