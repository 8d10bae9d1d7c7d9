"""The scenario file: what a council states about its situation, each figure sourced or assumed.

A scenario is a TOML file (format documented key by key in scenarios/README.md). Every figure
is a table ``{ value = ..., source = "..." }`` or ``{ value = ..., assumed = true }``; tables
that group several figures (a start-state group, a dated capacity change, an exception table)
carry ``source`` or ``assumed`` themselves. Loading rejects a figure with neither, an unknown
key, or a value out of range with one line naming the file, the key and the problem
(``ScenarioError``).

Figures to source from are in docs/SCENARIO_FIGURES.md; the statutory limits themselves are never
figures of a scenario: they come from ``statutory/``.
"""

from __future__ import annotations

import difflib
import tomllib
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass

from scenarios import team_checks
from statutory import exceptions as exc
from statutory.dates import as_written, weeks_after
from statutory.errors import RuleViolation

V = TypeVar("V")

NEEDS_SOURCE = 'every figure needs source = "..." or assumed = true'


class ScenarioError(ValueError):
    """A scenario file that cannot be used: one line naming the file, the key and the problem."""


def _check_sourced(source: str | None, assumed: bool) -> None:
    if assumed and source:
        raise ValueError('give source = "..." or assumed = true, not both (use note for context)')
    if not assumed and not (source and source.strip()):
        raise ValueError(NEEDS_SOURCE)


def _together_at_most_one(first: tuple[str, float], second: tuple[str, float], why: str) -> None:
    """Refuse two shares of one whole that add up to more than 1, saying ``why`` they are."""
    (a, x), (b, y) = first, second
    if x + y > 1:
        raise ValueError(f"{a} ({x:g}) and {b} ({y:g}) add up to more than 1: {why}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Strict):
    """A table of figures that states where they come from, or that they are assumed."""

    source: str | None = None
    assumed: bool = False
    note: str = ""

    @model_validator(mode="after")
    def _sourced(self) -> Sourced:
        _check_sourced(self.source, self.assumed)
        return self


class Figure(_Strict, Generic[V]):
    """One figure: ``{ value = ..., source = "..." }`` or ``{ value = ..., assumed = true }``."""

    value: V
    source: str | None = None
    assumed: bool = False
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _a_table(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError(
                f'give a table {{ value = {data!r}, source = "..." }} or '
                f"{{ value = {data!r}, assumed = true }}, not a bare value"
            )
        return data

    @model_validator(mode="after")
    def _sourced(self) -> Figure[V]:
        _check_sourced(self.source, self.assumed)
        return self


def _spread(v: tuple[float, float, float]) -> tuple[float, float, float]:
    low, mode, high = v
    if not 0 <= low <= mode <= high:
        raise ValueError(f"needs [low, most likely, high] with 0 <= low <= mode <= high, got {v}")
    return v


def _twelve(v: tuple[float, ...]) -> tuple[float, ...]:
    if len(v) != 12 or any(f < 0 for f in v) or sum(v) <= 0:
        raise ValueError("needs 12 monthly factors (January first), none negative")
    return v


Share = Annotated[float, Field(ge=0, le=1)]
NonNegative = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
Weeks = Annotated[tuple[float, float, float], AfterValidator(_spread)]
"""A spread of weeks: [low, most likely, high], sampled from a triangular distribution."""
Monthly = Annotated[tuple[float, ...], AfterValidator(_twelve)]


class Policy(StrEnum):
    """Which ready work is done first when capacity is short."""

    OLDEST_FIRST = "oldest-first"
    """By the statutory date of the whole process (20 weeks; review due): clears backlogs."""
    NEAREST_DEADLINE_FIRST = "nearest-deadline-first"
    """By the operational target of the step at hand (6-week decision, advice, draft, final)."""
    NEW_IN_TIME_FIRST = "new-in-time-first"
    """Steps whose own target has not passed first (nearest first), overdue ones after
    (oldest first): new cases are kept in time while the backlog waits."""


class Stage(StrEnum):
    """Where an open assessment of the start state stands."""

    DECISION = "decision"  # request received, deciding whether to assess
    ADVICE = "advice"  # agreed to assess, psychology advice awaited
    DRAFTING = "drafting"  # advice in, draft plan not yet served
    FINALISING = "finalising"  # draft served, final plan not yet issued


# --- sections ------------------------------------------------------------------------------


class ScenarioInfo(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]
    """Short id (lower case, digits, hyphens): names the output folder."""
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    start: date
    """First day of the first simulated week."""
    weeks: int = Field(ge=1, le=520)
    """Horizon in weeks."""


class OpenAssessments(Sourced):
    """Open assessments of the start state: ``count`` cases, received between ``weeks`` ago."""

    count: int = Field(ge=0)
    weeks: tuple[int, int]
    """[fewest, most] weeks since the request (the week reached); spread evenly between."""
    stage: Stage
    team: str | None = None
    """The ``[[teams]]`` name whose caseworkers hold them (none: split by share of requests)."""

    @field_validator("weeks")
    @classmethod
    def _ordered(cls, v: tuple[int, int]) -> tuple[int, int]:
        if not 0 <= v[0] <= v[1] <= 520:
            raise ValueError(f"needs [fewest, most] weeks with 0 <= fewest <= most, got {list(v)}")
        return v


class Plans(Sourced):
    """Plans in force whose next annual review falls due between ``due_from`` and ``due_to``."""

    count: int = Field(ge=0)
    due_from: date
    due_to: date
    team: str | None = None
    """The ``[[teams]]`` name whose caseworkers review them (none: split by share of requests)."""

    @model_validator(mode="after")
    def _ordered(self) -> Plans:
        if self.due_to < self.due_from:
            raise ValueError(f"due_to ({self.due_to}) is before due_from ({self.due_from})")
        return self


class StartState(_Strict):
    open_assessments: list[OpenAssessments] = Field(default_factory=list)
    """Open assessments by week reached; groups past 20 weeks are the overdue backlog."""
    plans: list[Plans] = Field(default_factory=list)
    """Plans by next review date; dates before the start are the review backlog."""


class Demand(_Strict):
    requests_per_week: Figure[NonNegative]
    """Requests for an assessment a week in the first year (the yearly average)."""
    annual_growth: Figure[float] | None = None
    """Compound growth a year (0.1 = 10%), applied week by week."""
    seasonality: Figure[Monthly] | None = None
    """12 factors by calendar month, scaled here to average 1 (a summer dip, an autumn rise)."""


class Decisions(_Strict):
    share_assessed: Figure[Share]
    """Share of requests agreed for assessment (the rest: decided not to assess)."""
    share_issued: Figure[Share]
    """Share of assessments that end with a plan (the rest: decided not to issue)."""
    share_withdrawn: Figure[Share] | None = None
    """Share of requests withdrawn by the family or the setting (with ``timings.withdrawal``):
    such a request is withdrawn at a time drawn from ``timings.withdrawal`` if its case is
    still open then, ending it wherever it stands (``statutory.assessment.Ending.WITHDRAWN``)."""


class Timings(_Strict):
    """Lead times that do not depend on this council's capacity, in weeks [low, mode, high]."""

    decision: Figure[Weeks]
    """From the request to when the decision can be made (gathering information, panel)."""
    psychology: Figure[Weeks]
    """From the request for psychology advice to when the psychologist can see the child."""
    other_advice: Figure[Weeks]
    """From the requests for other advice (education, health, social care) to the last reply."""
    drafting: Figure[Weeks]
    """From the last advice to when the draft can be served."""
    finalising: Figure[Weeks]
    """From the close of the 15 days' representations (reg 13(1)) to when the final can go."""
    withdrawal: Figure[Weeks] | None = None
    """From the request to its withdrawal (of the requests ``decisions.share_withdrawn``)."""


class TaskHours(_Strict):
    """Caseworker hours each task takes."""

    decision: Figure[NonNegative]
    draft: Figure[NonNegative]
    final: Figure[NonNegative]
    review: Figure[NonNegative]


class CapacityCosts(_Strict):
    """What the capacity in post costs (``scenarios/costs.py`` turns it into a total)."""

    caseworker_week: Figure[NonNegative]
    """One full-time caseworker for a week, in pounds: salary with on-costs. Also the
    default for caseworkers a change adds (or saves, when they leave)."""
    psychology_assessment: Figure[NonNegative]
    """One assessment of in-house psychology capacity, in pounds: the psychologist's time
    one assessment takes. The service costs ``psychology_per_week`` of these every week,
    used or not (salaried staff); also the default for in-house capacity a change adds."""


class CapacityChange(Sourced):
    """A dated change of capacity from ``start`` (to ``end`` inclusive, when given)."""

    label: str = Field(min_length=1, max_length=120)
    start: date
    end: date | None = None
    caseworkers: float = 0
    """Caseworkers added (negative: leaving)."""
    psychology_per_week: float = 0
    """Psychology assessments a week added (locums), or removed."""
    psychology_outsourced: int = Field(default=0, ge=0)
    """A fixed number of psychology assessments outsourced, spread evenly to ``end``."""
    reviews_outsourced: int = Field(default=0, ge=0)
    """A fixed number of annual reviews outsourced, spread evenly to ``end``."""
    team: str | None = None
    """With ``[[teams]]``: the team the caseworkers join or leave, whose reviews are outsourced."""
    cost_per_week: Figure[NonNegative] | None = None
    """What the line costs, in pounds, each week it runs (locums, agency staff), in place of
    the in-post rates of ``[capacity.costs]``."""
    cost_per_assessment: Figure[NonNegative] | None = None
    """Price of one outsourced psychology assessment, in pounds."""
    cost_per_review: Figure[NonNegative] | None = None
    """Price of one outsourced annual review, in pounds."""

    @model_validator(mode="after")
    def _period(self) -> CapacityChange:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        if (self.psychology_outsourced or self.reviews_outsourced) and self.end is None:
            raise ValueError("outsourcing a fixed number needs an end date to spread it over")
        return self

    @model_validator(mode="after")
    def _costs_match_the_line(self) -> CapacityChange:
        for cost, what, present in (
            ("cost_per_week", "caseworkers or psychology_per_week", self.weekly_capacity),
            ("cost_per_assessment", "psychology_outsourced", self.psychology_outsourced),
            ("cost_per_review", "reviews_outsourced", self.reviews_outsourced),
        ):
            if getattr(self, cost) is not None and not present:
                raise ValueError(f"{cost} is given but the line has no {what} to cost")
        return self

    @property
    def weekly_capacity(self) -> bool:
        """Whether the line changes capacity week by week (staff, locums) while it runs."""
        return bool(self.caseworkers or self.psychology_per_week)

    @property
    def costed(self) -> bool:
        """Whether the line states a cost of its own."""
        return any((self.cost_per_week, self.cost_per_assessment, self.cost_per_review))

    def uncosted(self) -> str | None:
        """What the line adds that neither it nor ``[capacity.costs]`` puts a price on."""
        if self.psychology_outsourced and self.cost_per_assessment is None:
            return "psychology_outsourced needs cost_per_assessment"
        if self.reviews_outsourced and self.cost_per_review is None:
            return "reviews_outsourced needs cost_per_review"
        return None


class Capacity(_Strict):
    caseworkers: Figure[NonNegative]
    hours_per_week: Figure[Positive]
    """Contracted hours a caseworker works a week."""
    statutory_share: Figure[Share]
    """Share of those hours spent on the tasks modelled (the rest: calls, tribunals, leave)."""
    review_share: Figure[Share]
    """Share of the statutory hours kept for annual reviews; unused hours go to the other work."""
    hours_per_task: TaskHours
    psychology_per_week: Figure[NonNegative]
    """Psychology assessments (reg 6(1)(d) advice) completed a week in house."""
    costs: CapacityCosts | None = None
    """What the capacity costs; without it, results report no cost at all."""
    changes: list[CapacityChange] = Field(default_factory=list)

    @model_validator(mode="after")
    def _every_line_costed(self) -> Capacity:
        """With costs, every line has a price (a total that left one out would mislead);
        without them, no line may state one (there would be no total to add it to)."""
        for i, change in enumerate(self.changes):
            where = f"changes[{i}] ({change.label})"
            if self.costs is None and change.costed:
                raise ValueError(f"{where}: a line's cost needs [capacity.costs] as well")
            problem = change.uncosted()
            if self.costs is not None and problem:
                raise ValueError(f"{where}: {problem} when [capacity.costs] is given")
        return self


class Team(_Strict):
    """An area team: its caseworkers carry only its own cases (``scenarios.teams``)."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    """Short id (lower case, digits, hyphens), as start-state groups and changes name it."""
    title: str = Field(min_length=1, max_length=120)
    share_of_requests: Figure[Share]
    """Share of the council's new requests that reach this team."""
    caseworkers: Figure[NonNegative]
    """Caseworkers in post in this team (the teams' add up to ``capacity.caseworkers``)."""

    @property
    def label(self) -> str:
        """How the report's assumptions name the team."""
        return self.title


class ExceptionRate(Sourced):
    """How often an exception of one kind arises, and how long it lasts."""

    share: Share
    """Share of assessments (of psychology advice requests, for missed-appointment)."""
    weeks: Weeks


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Closure:
    """Days a council's settings are closed: ``{ start = DATE, end = DATE }``, both included.

    A plain dataclass, not a model: the report writes it in its table's row, as it reads."""

    start: date
    """The first day closed."""
    end: date
    """The last day closed: the setting re-opens the day after."""

    @property
    def period(self) -> exc.Period:
        return exc.Period(self.start, self.end)

    def __str__(self) -> str:
        return f"{as_written(self.start)} to {as_written(self.end)}"


class ClosureRate(Sourced):
    """How often a case's educational advice is sought from a school (or post-16 institution),
    or from an early-years provider, and when those settings are closed: reg 5(4)(a)-(b),
    10(4)(a)-(b), 13(3)(a)-(b) lift the LA's limits when the advice was requested from one week
    before a closure of 4 weeks or more to one week before it re-opens."""

    share: Share
    """Share of assessments whose educational advice is sought from such a setting."""
    closures: list[Closure] = Field(min_length=1)
    """When every such setting of the council is closed, in date order, none overlapping;
    each is checked with ``statutory.exceptions.check_period`` (at least 4 continuous
    weeks)."""

    @field_validator("closures")
    @classmethod
    def _in_order(cls, v: list[Closure]) -> list[Closure]:
        for i in range(1, len(v)):
            if v[i].start <= v[i - 1].end:
                raise ValueError(
                    f"closures[{i}] ({v[i]}) does not begin after closures[{i - 1}] ({v[i - 1]})"
                    " ends: give closures in date order, one for each period closed"
                )
        return v


class Exceptions(_Strict):
    """``[exceptions.<reason>]``, keyed by the statutory reason (``statutory.exceptions.Reason``):
    closures state when settings are closed, the others how long an exception lasts."""

    # keys as the file writes them: a scenario dumped (to a worker, a database) loads again
    model_config = ConfigDict(serialize_by_alias=True)

    school_closure: ClosureRate | None = Field(default=None, alias="school-closure")
    early_years_closure: ClosureRate | None = Field(default=None, alias="early-years-closure")
    personal_circumstances: ExceptionRate | None = Field(
        default=None, alias="personal-circumstances"
    )
    absence_from_area: ExceptionRate | None = Field(default=None, alias="absence-from-area")
    missed_appointment: ExceptionRate | None = Field(default=None, alias="missed-appointment")
    coronavirus: ExceptionRate | None = Field(default=None, alias="coronavirus")

    @model_validator(mode="before")
    @classmethod
    def _known_reasons(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = [r.value for r in exc.Reason]
            for key in data:
                if key not in known:
                    close = difflib.get_close_matches(str(key), known, n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    raise ValueError(
                        f"'{key}' is not an exception reason{hint}; known: {', '.join(known)}"
                    )
        return data

    @field_validator("school_closure", "early_years_closure")
    @classmethod
    def _closures_the_law_allows(
        cls, v: ClosureRate | None, info: ValidationInfo
    ) -> ClosureRate | None:
        if v is None:
            return v
        reason = exc.Reason(str(info.field_name).replace("_", "-"))  # its key
        for i, closure in enumerate(v.closures):
            try:
                exc.check_period(reason, closure.period)
            except RuleViolation as error:
                problem = str(error).removeprefix(f"{reason.value}: ")
                raise ValueError(f"closures[{i}]: {problem}") from None
        return v

    @model_validator(mode="after")
    def _one_setting_a_case(self) -> Exceptions:
        school, early = self.school_closure, self.early_years_closure
        if school and early:
            _together_at_most_one(
                ("school-closure's share", school.share),
                ("early-years-closure's share", early.share),
                "a case's educational advice comes from a school or an early-years provider, "
                "not both",
            )
        return self

    def stated(self) -> dict[exc.Reason, ExceptionRate | ClosureRate]:
        """The tables the file states, by reason."""
        return {
            exc.Reason(field.alias): value
            for name, field in type(self).model_fields.items()
            if field.alias and (value := getattr(self, name)) is not None
        }


class Reviews(_Strict):
    lead_weeks: Figure[NonNegative]
    """How many weeks before its due date a review can be held."""
    ceasing_share: Figure[Share]
    """Share of reviews after which the plan ceases (so it needs no further review)."""
    phase_transfer_share: Figure[Share] | None = None
    """Share of plans whose next review is the one for a move between phases of education
    to or within school: due by 15 February of the year of the move (reg 18(1)(b)), so
    brought forward to the 15 February before its 12-month date
    (``scenarios.reviews.transfer_review_due``)."""
    post16_transfer_share: Figure[Share] | None = None
    """Share of plans whose next review is the one for a move from secondary school to a
    post-16 institution: due by 31 March of the year of the move (reg 18(1)(a)), so brought
    forward to the 31 March before its 12-month date. Drawn of the plans not drawn for a
    school move: with ``phase_transfer_share``, at most 1 together."""

    @model_validator(mode="after")
    def _one_move_a_review(self) -> Reviews:
        school, post16 = self.phase_transfer_share, self.post16_transfer_share
        if school and post16:
            _together_at_most_one(
                ("phase_transfer_share", school.value),
                ("post16_transfer_share", post16.value),
                "a plan's next review is for one move at most",
            )
        return self

    @property
    def states_transfers(self) -> bool:
        """Whether the file states any phase transfers (of either share)."""
        return self.phase_transfer_share is not None or self.post16_transfer_share is not None


class PolicyChange(_Strict):
    start: date
    policy: Policy


class Priority(_Strict):
    policy: Policy
    changes: list[PolicyChange] = Field(default_factory=list)


class AppealShares(_Strict):
    """Share of each appealable decision appealed to the Tribunal (CFA s51(2))."""

    refusal_to_assess: Figure[Share]
    """Of decisions not to assess (reg 5)."""
    refusal_to_issue: Figure[Share]
    """Of decisions not to issue a plan (reg 10)."""
    contents: Figure[Share]
    """Of plans issued (reg 13(2)): their contents, the school or type named included."""


class OrderHours(_Strict):
    """Caseworker hours each task of complying with an order, or a concession, takes."""

    notify: Figure[NonNegative]
    """Telling the family the council will assess (reg 44(2)(b), 45(3))."""
    draft: Figure[NonNegative]
    """A draft plan, or a decision not to issue one, with its reasons."""
    final: Figure[NonNegative]
    """The final plan of an order to assess or to make a plan."""
    amend: Figure[NonNegative]
    """The plan amended as ordered, or its school changed (reg 44(2)(e)-(f))."""


class Tribunal(_Strict):
    """Appeals to the Tribunal and the orders and concessions that follow (``scenarios.tribunal``;
    the limits themselves come from ``statutory.clock_processes``)."""

    share_appealed: AppealShares
    weeks_to_hearing: Figure[Weeks]
    """From the appeal's registration to its hearing."""
    share_conceded: Figure[Share]
    """Of appeals registered, conceded by the council before the hearing (reg 45)."""
    share_withdrawn: Figure[Share]
    """Of appeals registered, withdrawn by the family before the hearing."""
    share_ordered: Figure[Share]
    """Of appeals decided at a hearing, those where the Tribunal orders the council."""
    school_only_share: Figure[Share] | None = None
    """Of orders and concessions on a plan's contents, those changing only the school or type
    named (reg 44(2)(f), 45(5): 2 weeks); the rest amend the plan (5 weeks)."""
    hours_per_task: OrderHours

    @model_validator(mode="after")
    def _outcomes_add_up(self) -> Tribunal:
        _together_at_most_one(
            ("share_conceded", self.share_conceded.value),
            ("share_withdrawn", self.share_withdrawn.value),
            "both are shares of the appeals registered",
        )
        return self


class Report(_Strict):
    """Reporting choices (not figures about the world)."""

    backlog_cleared_at: int = Field(default=0, ge=0)
    """The backlog counts as cleared in the first week with at most this many open
    assessments past 20 weeks (or reviews overdue, for the review backlog)."""
    caseload_target: int | None = Field(default=None, ge=1)
    """The caseload per caseworker the council aims for: a dashed line on the caseload
    chart (none: no line)."""


class Scenario(_Strict):
    scenario: ScenarioInfo
    start_state: StartState = Field(default_factory=StartState)
    demand: Demand
    decisions: Decisions
    timings: Timings
    capacity: Capacity
    teams: list[Team] = Field(default_factory=list)
    """Area teams (none: one pooled service); ``team_checks`` says how they must hold together."""
    reviews: Reviews
    exceptions: Exceptions = Field(default_factory=Exceptions)
    priority: Priority
    tribunal: Tribunal | None = None
    """Appeals and the orders that follow; without it, no decision is appealed."""
    report: Report = Field(default_factory=Report)
    version: Literal[1] = 1

    @model_validator(mode="after")
    def _withdrawals_have_a_timing(self) -> Scenario:
        share, timing = self.decisions.share_withdrawn, self.timings.withdrawal
        if share is not None and timing is None:
            raise ValueError(
                "decisions.share_withdrawn: needs timings.withdrawal, the weeks from the"
                " request to the withdrawal"
            )
        if timing is not None and share is None:
            raise ValueError(
                "timings.withdrawal: needs decisions.share_withdrawn, the share withdrawn"
            )
        return self

    @model_validator(mode="after")
    def _teams_hold_together(self) -> Scenario:
        problems = team_checks.problems(self)
        if problems:
            raise ValueError(problems[0])
        return self

    def exception_rates(self) -> dict[exc.Reason, ExceptionRate]:
        """Exceptions that arise at a rate and last a spread of weeks, by reason."""
        return {
            reason: rate
            for reason, rate in self.exceptions.stated().items()
            if isinstance(rate, ExceptionRate)
        }

    def closure_rates(self) -> dict[exc.Reason, ClosureRate]:
        """School and early-years closures, by reason (``scenarios.closures``)."""
        return {
            reason: rate
            for reason, rate in self.exceptions.stated().items()
            if isinstance(rate, ClosureRate)
        }

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def end(self) -> date:
        """Last simulated day."""
        return weeks_after(self.scenario.start, self.scenario.weeks) - timedelta(days=1)


# --- loading -----------------------------------------------------------------------------------


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("value",) or part.startswith(("function-", "Figure[")):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


#: How pydantic names a key the format does not have (in a model; in a dataclass: ``Closure``).
_UNKNOWN_KEY = ("extra_forbidden", "unexpected_keyword_argument")


#: Pydantic's range errors, as a sentence: the words, and the bound's key in the error.
_BOUNDS = {
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("more than", "gt"),
}


#: Pydantic's type errors, as what the key must be (the value given follows).
_KINDS = {
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "date_parsing": "a date written 2026-01-31",
    "date_type": "a date written 2026-01-31",
    "date_from_datetime_parsing": "a date written 2026-01-31",
    "string_type": "text in quotes",
}


def _number(value: Any) -> str:
    """1.0 as "1", 0.25 as "0.25": a bound or a value as the file would write it."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe(error: ValidationError) -> str:
    """The first problem of a validation error as ``key: problem``.

    An unknown key is reported before anything else (a misspelt key is also a missing one),
    with the missing key it most resembles.
    """
    errors = error.errors()
    unknown = [e for e in errors if e["type"] in _UNKNOWN_KEY]
    first = unknown[0] if unknown else errors[0]
    where = _where(tuple(first["loc"]))
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] in _UNKNOWN_KEY:
        parent = tuple(first["loc"][:-1])
        missing = [
            str(e["loc"][-1])
            for e in errors
            if e["type"] == "missing" and tuple(e["loc"][:-1]) == parent
        ]
        close = difflib.get_close_matches(str(first["loc"][-1]), missing, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "see scenarios/README.md"
        message = f"unknown key ({hint})"
    elif first["type"] == "missing":
        message = "missing (required)"
    elif first["type"] in _KINDS:
        message = f"must be {_KINDS[first['type']]}, not {first['input']!r}"
    elif first["type"] in _BOUNDS:
        words, key = _BOUNDS[first["type"]]
        message = f"must be {words} {_number(first['ctx'][key])}, not {_number(first['input'])}"
    return f"{where}: {message}" if where else message


def parse(data: dict[str, Any], origin: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(f"{origin}: {describe(error)}") from None


def loads(text: str, origin: str = "<scenario>") -> Scenario:
    """A scenario from TOML text; ``origin`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{origin}: not valid TOML: {error}") from None
    return parse(data, origin)


def load(path: Path) -> Scenario:
    """A scenario from a TOML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except (IsADirectoryError, UnicodeDecodeError) as error:
        raise ScenarioError(f"{path}: cannot be read as a scenario file ({error})") from None
    return loads(text, str(path))
