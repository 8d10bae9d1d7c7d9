"""Appeals to the SEND Tribunal, and complying with the orders and concessions that follow.

Only with a ``[tribunal]`` section (``scenarios.model.Tribunal``). The engine tells this module of
every decision it closes a case with; the appealable ones (CFA s51(2)) are a refusal to assess
(reg 5), a refusal to issue a plan (reg 10) and a plan issued, for its contents (the school or
type named included). A share of each is appealed; then, all drawn on the day of the decision:

- the appeal is registered on a day drawn evenly over its window: the day after the notice to
  the window's last day (``statutory.clock_processes.APPEAL``'s ``appeal_by``: 2 months from
  the notice, Tribunal rules r20(1); the extra month a mediation certificate can give is not
  modelled);
- before its hearing (``weeks_to_hearing`` after registration) it is conceded by the council
  (reg 45) or withdrawn by the family, on a day drawn evenly between registration and hearing;
  otherwise it is decided at the hearing, the Tribunal ordering the council in
  ``share_ordered`` of them (the order dated the day of the hearing);
- an order, or a concession, starts the clock of ``statutory.clock_processes.TRIBUNAL_ORDER``
  on its day, of the kind that decision calls for: a refusal to assess overturned, ``assess``
  (notify in 2 weeks, a final plan in 14, or a decision not to issue in 10); a refusal to
  issue, ``make-plan`` (a draft in 5 weeks, the final in 11); contents, ``amend`` (5 weeks),
  or ``school`` (2 weeks) for ``school_only_share`` of them. Every date comes from
  ``statutory.clocks.calculate``: no limit is written here.

Complying is work competing for the council's own capacity, and goes first: an order is the
Tribunal's, with hard limits (reg 44), so each week its ready steps take caseworker hours
(``[tribunal.hours_per_task]``) and in-house psychology assessments before any other work does,
ordered among themselves by the week's priority policy (oldest-first: by the order's final
limit; nearest-deadline-first: by the limit of the step at hand; new-in-time-first: steps
within their limit first, nearest first, then the overdue ones by their final limit). An order
to assess asks for psychology advice the day the family is told, and for other advice the same
day; the council's own lead times apply (``[timings]``), and its share of assessments that end
with a plan (``decisions.share_issued``). A plan made under an order joins the plans in force
(its reviews fall due as any plan's); it is not counted among the plans issued of the 20-week
rate, nor appealed again. Exceptions (reg 44(3)) are not modelled.

Randomness: whether an appealable decision is appealed is a number of the case's own
(``scenarios.draws.case_uniform``: the seed and the case's id), and an appeal has a generator of
its own (``random.Random("tribunal <seed> <case id>")``) for its course and the order's work,
made only for the decisions appealed: a scenario without the section draws exactly what it drew
before, and options compared on one seed meet the same appeal of the same decision whatever
their capacity does to the order of work.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from scenarios.calendar import Week
from scenarios.draws import case_uniform
from scenarios.model import Policy, Scenario
from scenarios.reviews import ReviewBook
from statutory import assessment as rules
from statutory.clock_processes import APPEAL, TRIBUNAL_ORDER
from statutory.clocks import WITHDRAWN, calculate
from statutory.dates import days_beginning_with

# --- the law's names --------------------------------------------------------------------------

#: The appeal each appealable ending of an assessment opens (``APPEAL``'s kinds).
APPEAL_KINDS = {
    rules.Ending.NOT_ASSESSED: "refusal-to-assess",
    rules.Ending.NOT_ISSUED: "refusal-to-issue",
    rules.Ending.PLAN_ISSUED: "contents",
}
#: The order (or concession) that overturns each kind of decision (``TRIBUNAL_ORDER``'s kinds).
ORDER_KINDS = {"refusal-to-assess": "assess", "refusal-to-issue": "make-plan", "contents": "amend"}
SCHOOL = "school"
#: How an appeal ends (``APPEAL``'s endings, and a withdrawal).
CONCEDED, UPHELD, DISMISSED = "conceded", "upheld", "dismissed"
#: How complying with an order ends (``TRIBUNAL_ORDER``'s endings).
COMPLIED, NOT_ISSUED = "complied", "not-issued"
#: The order's dates, as ``TRIBUNAL_ORDER`` names them.
NOTIFY_BY, NOT_TO_ISSUE_BY = "notify_by", "decide_not_to_issue_by"
DRAFT_BY, FINAL_BY = "draft_by", "final_plan_by"
APPEAL_BY = "appeal_by"

assert set(APPEAL_KINDS.values()) <= set(APPEAL.variants)
assert {*ORDER_KINDS.values(), SCHOOL} <= set(TRIBUNAL_ORDER.variants)
assert {CONCEDED, UPHELD, DISMISSED} <= set(APPEAL.endings)
assert {COMPLIED, NOT_ISSUED} == set(TRIBUNAL_ORDER.endings)
assert {NOTIFY_BY, NOT_TO_ISSUE_BY, DRAFT_BY, FINAL_BY} <= {
    d.output for d in TRIBUNAL_ORDER.deadlines
}

# --- the weekly series -------------------------------------------------------------------------

APPEALABLE = "appealable_decisions"
REGISTERED = "appeals_registered"
HEARINGS = "hearings"
ORDERS = "orders"
CONCESSIONS = "concessions"
ORDERS_COMPLIED = "orders_complied"
ORDERS_IN_TIME = "orders_complied_in_time"
ORDERS_PAST_LIMIT = "orders_past_limit"
#: The weekly series a run with ``[tribunal]`` records (scenarios/README.md says what each counts).
SERIES = (
    APPEALABLE,
    REGISTERED,
    HEARINGS,
    ORDERS,
    CONCESSIONS,
    ORDERS_COMPLIED,
    ORDERS_IN_TIME,
    ORDERS_PAST_LIMIT,
)

# Steps of complying, in order.
NOTIFY, ADVICE, DRAFT, FINAL, DONE = range(5)
_GROUP = 10_000_000  # keys sort first by a group, then by a day number


@lru_cache(maxsize=4096)
def order_dates(kind: str, made: date) -> dict[str, date]:
    """The limits of an order (or a concession) of ``kind`` made on ``made``: the rules core's
    calculator for ``TRIBUNAL_ORDER`` (regs 44-45)."""
    return calculate(TRIBUNAL_ORDER.name, kind, {"order": made})


@lru_cache(maxsize=4096)
def appeal_by(kind: str, notice: date) -> date:
    """The last day to register an appeal against a decision notified on ``notice``
    (``APPEAL``'s window, Tribunal rules r20(1))."""
    return calculate(APPEAL.name, kind, {"notice": notice})[APPEAL_BY]


@dataclass(slots=True, eq=False)
class Order:
    """Complying with one order, or one concession (reg 45): its clock runs from ``made``."""

    id: int
    kind: str
    """``TRIBUNAL_ORDER``'s kind: ``assess``, ``make-plan``, ``amend`` or ``school``."""
    made: date
    conceded: bool
    limits: dict[str, date]
    step: int
    ready: date
    """The first day the step at hand can be done."""
    rng: random.Random
    """The appeal's own generator, for the order's lead times and decisions."""
    done: dict[str, date] = field(default_factory=dict)
    """Each limited step done: its date's name (``notify_by``...) and the day it was done."""
    ep_ready: date | None = None
    other_done: date | None = None
    book: ReviewBook | None = None
    """Where a plan made under the order joins the plans in force (None: the council's)."""
    ending: str | None = None
    closed_on: date | None = None

    @property
    def limit(self) -> date:
        """The limit of the step at hand: the notice's, the draft's of an order to make a plan,
        else the final plan's (for an order to assess, also while it awaits advice)."""
        if self.step == NOTIFY:
            return self.limits[NOTIFY_BY]
        if self.step == DRAFT and DRAFT_BY in self.limits:
            return self.limits[DRAFT_BY]
        return self.limits[FINAL_BY]

    @property
    def in_time(self) -> bool:
        """Every limited step done by its date (reg 44(2), 45)."""
        return all(day <= self.limits[name] for name, day in self.done.items())


@dataclass(slots=True, eq=False)
class Appeal:
    """An appeal against a decision of case ``case_id``, and how it ends."""

    case_id: int
    kind: str
    notice: date
    registered: date
    hearing: date
    outcome: str
    """``conceded``, ``withdrawn``, ``upheld`` (the Tribunal orders the council) or ``dismissed``."""
    ended: date
    order: Order | None


def _lead(spread: tuple[float, float, float]) -> Callable[[random.Random], timedelta]:
    """Lead times from a spread of weeks [low, most likely, high], in whole days, drawn from
    the generator given (the appeal's own)."""
    low, mode, high = spread
    return lambda rng: timedelta(days=round(7 * rng.triangular(low, high, mode)))


class Tribunal:
    """Appeals and orders of one replication: drawn as decisions are made, worked each week."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        plan_made: Callable[[ReviewBook | None, date], None],
        keep: bool = False,
    ) -> None:
        t = scenario.tribunal
        assert t is not None
        self.seed = seed
        self.start = scenario.scenario.start
        self.weeks = scenario.scenario.weeks
        self.plan_made = plan_made
        """Called with the book of the case's team (None: no teams) and the day a plan is made
        under an order: it joins the plans in force."""
        self.keep = keep
        self.appealed = {
            "refusal-to-assess": t.share_appealed.refusal_to_assess.value,
            "refusal-to-issue": t.share_appealed.refusal_to_issue.value,
            "contents": t.share_appealed.contents.value,
        }
        self.conceded = t.share_conceded.value
        self.withdrawn = t.share_withdrawn.value
        self.ordered = t.share_ordered.value
        self.school_only = t.school_only_share.value if t.school_only_share else 0.0
        self.to_hearing = _lead(t.weeks_to_hearing.value)
        timings = scenario.timings
        self.psychology_lead = _lead(timings.psychology.value)
        self.other_lead = _lead(timings.other_advice.value)
        self.drafting_lead = _lead(timings.drafting.value)
        self.finalising_lead = _lead(timings.finalising.value)
        self.share_issued = scenario.decisions.share_issued.value
        h = t.hours_per_task
        self.hours = {
            NOTIFY: h.notify.value,
            DRAFT: h.draft.value,
            FINAL: h.final.value,
        }
        self.amend_hours = h.amend.value
        self.counts = {name: [0] * self.weeks for name in SERIES if name != ORDERS_PAST_LIMIT}
        self.past_limit: list[float] = []
        self.pending: dict[int, list[Order]] = {}  # orders by the week their work starts
        self.open: list[Order] = []
        self.reached = -1  # the last week whose work has been done
        self.next_id = 1
        self.appeals: list[Appeal] = []
        """Every appeal, only when asked for (``keep``)."""

    # --- appeals, drawn on the day of the decision ---------------------------------------------

    def decided(
        self, case_id: int, ending: rules.Ending, on: date, book: ReviewBook | None = None
    ) -> None:
        """A case closed with ``ending`` on ``on``: if the decision can be appealed, whether it
        is, and how the appeal goes; a plan made under an order joins ``book`` (the case's
        team's, with teams)."""
        kind = APPEAL_KINDS.get(ending)
        if kind is None:
            return
        self._count(APPEALABLE, on)
        # The case's own numbers: options compared on one seed meet the same appeal of the
        # same decision, and the order's work draws no number another case's would. Whether it
        # is appealed is one cheap draw; the generator is made only for the few that are.
        if case_uniform(b"tribunal", self.seed, case_id) >= self.appealed[kind]:
            return
        rng = random.Random(f"tribunal {self.seed} {case_id}")
        # One number for the day, however long the window (59 to 62 days): the draws after it
        # are the same whichever day the capacity lets the decision be made.
        window = (appeal_by(kind, on) - on).days
        registered = on + timedelta(days=1 + int(rng.random() * window))
        hearing = registered + self.to_hearing(rng)
        self._count(REGISTERED, registered)
        u = rng.random()
        if u < self.conceded + self.withdrawn:
            outcome = CONCEDED if u < self.conceded else WITHDRAWN
            ended = registered + timedelta(days=rng.randint(0, (hearing - registered).days))
        else:
            outcome = UPHELD if rng.random() < self.ordered else DISMISSED
            ended = hearing
            self._count(HEARINGS, hearing)
        order = None
        if outcome in (CONCEDED, UPHELD):
            order_kind = ORDER_KINDS[kind]
            if order_kind == "amend" and rng.random() < self.school_only:
                order_kind = SCHOOL
            order = self._order(order_kind, ended, outcome == CONCEDED, rng)
            order.book = book
        if self.keep:
            self.appeals.append(
                Appeal(case_id, kind, on, registered, hearing, outcome, ended, order)
            )

    def _order(self, kind: str, made: date, conceded: bool, rng: random.Random) -> Order:
        """An order (or concession) of ``kind`` on ``made``: its clock starts that day; its
        lead times come from ``rng``, the appeal's own."""
        first = NOTIFY if kind == "assess" else DRAFT if kind == "make-plan" else FINAL
        ready = made
        if first == DRAFT:
            ready += self.drafting_lead(rng)
        elif first == FINAL:
            ready += self.finalising_lead(rng)
        order = Order(
            self.next_id, kind, made, conceded, order_dates(kind, made), first, ready, rng=rng
        )
        self.next_id += 1
        self._count(ORDERS, made)
        if conceded:
            self._count(CONCESSIONS, made)
        week = (made - self.start).days // 7
        if week <= self.reached:  # this week's orders have been worked: the next week's
            week = self.reached + 1
        if week < self.weeks:
            self.pending.setdefault(week, []).append(order)
        return order

    def _count(self, name: str, day: date) -> None:
        week = (day - self.start).days // 7
        if 0 <= week < self.weeks:
            self.counts[name][week] += 1

    # --- the week's work, before any other ----------------------------------------------------

    def work(self, week: Week) -> Week:
        """The orders' ready steps, first: the week with the psychology assessments and the
        caseworker hours they leave for the rest."""
        self.reached = week.index
        self.open += self.pending.pop(week.index, ())
        if not self.open:
            return week
        seen = self._psychology(week)
        hours = self._casework(week, week.statutory_hours)
        if not seen and hours == week.statutory_hours:
            return week
        return dataclasses.replace(week, psychology=week.psychology - seen, statutory_hours=hours)

    def _key(self, policy: Policy, today: date) -> Callable[[Order], int]:
        """The order orders' steps are done in under ``policy`` (see the module's docstring)."""
        if policy is Policy.OLDEST_FIRST:
            return lambda o: o.limits[FINAL_BY].toordinal() * _GROUP + o.id
        if policy is Policy.NEAREST_DEADLINE_FIRST:
            return lambda o: o.limit.toordinal() * _GROUP + o.id

        def new_in_time_first(o: Order) -> int:
            limit = o.limit
            if limit >= today:
                return limit.toordinal() * _GROUP + o.id
            return _GROUP * _GROUP + o.limits[FINAL_BY].toordinal() * _GROUP + o.id

        return new_in_time_first

    def _psychology(self, week: Week) -> int:
        """Psychology advice for orders to assess, from the in-house assessments of the week."""
        ready = [
            o
            for o in self.open
            if o.step == ADVICE and o.ep_ready is not None and o.ep_ready <= week.end
        ]
        if not ready or week.psychology <= 0:
            return 0
        ready.sort(key=self._key(week.policy, week.start))
        seen = ready[: week.psychology]
        for order in seen:
            assert order.ep_ready is not None and order.other_done is not None
            advice_in = max(max(order.ep_ready, week.start), order.other_done)
            order.step = DRAFT
            order.ready = advice_in + self.drafting_lead(order.rng)
        return len(seen)

    def _task_hours(self, order: Order) -> float:
        return self.amend_hours if order.kind in ("amend", SCHOOL) else self.hours[order.step]

    def _casework(self, week: Week, hours: float) -> float:
        """Ready steps in priority order while hours last (a step needing more than are left is
        passed over for smaller ones behind it); returns the hours left."""
        tasks = [o for o in self.open if o.step != ADVICE and o.ready <= week.end]
        tasks.sort(key=self._key(week.policy, week.start))
        for order in tasks:
            need = self._task_hours(order)
            if need > hours:
                continue
            hours -= need
            self._step(order, max(order.ready, week.start), week)
        return hours

    def _step(self, order: Order, day: date, week: Week) -> None:
        if order.step == NOTIFY:  # reg 44(2)(b): and advice asked for that day (reg 6(1))
            order.done[NOTIFY_BY] = day
            order.step = ADVICE
            order.ep_ready = day + self.psychology_lead(order.rng)
            order.other_done = day + self.other_lead(order.rng)
        elif order.step == DRAFT:
            if order.kind == "assess" and order.rng.random() >= self.share_issued:
                order.done[NOT_TO_ISSUE_BY] = day  # reg 44(2)(b)(i)
                self._close(order, NOT_ISSUED, day, week)
                return
            if DRAFT_BY in order.limits:
                order.done[DRAFT_BY] = day
            order.step = FINAL  # after the 15 days for representations (reg 13(1))
            close = days_beginning_with(day, rules.REPRESENTATION_DAYS)
            order.ready = close + timedelta(days=1) + self.finalising_lead(order.rng)
        else:
            order.done[FINAL_BY] = day
            self._close(order, COMPLIED, day, week)
            if order.kind in ("assess", "make-plan"):
                self.plan_made(order.book, day)

    def _close(self, order: Order, ending: str, day: date, week: Week) -> None:
        order.step = DONE
        order.ending = ending
        order.closed_on = day
        self.counts[ORDERS_COMPLIED][week.index] += 1
        if order.in_time:
            self.counts[ORDERS_IN_TIME][week.index] += 1

    # --- the week counted -------------------------------------------------------------------

    def count(self, week: Week) -> None:
        """Orders open at the end of the week past the limit of their step at hand."""
        self.open = [o for o in self.open if o.ending is None]
        self.past_limit.append(float(sum(o.limit < week.end for o in self.open)))

    def weekly(self) -> dict[str, list[float]]:
        """The run's weekly series (``SERIES``)."""
        out = {name: [float(n) for n in counts] for name, counts in self.counts.items()}
        out[ORDERS_PAST_LIMIT] = self.past_limit
        return {name: out[name] for name in SERIES}
