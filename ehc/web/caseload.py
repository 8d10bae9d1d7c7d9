"""What a caseworker's and a team's open cases come to on a day: sections, RAG ratings,
counts. Pure functions over read-model rows, so the pages (``my_cases``, ``team``) only fetch
and render.

Every rating is on a step's target (its statutory date, moved by any exception that pauses it,
as ``ehc overdue`` reads it):

| the target...                              | section               | RAG   |
|--------------------------------------------|-----------------------|-------|
| has passed                                 | overdue               | red   |
| is today or within the amber window        | due in the next days  | amber |
| is later                                   | the rest              | green |
| none (no statutory step open)              | the rest              | none  |

The amber window is the council's ``EHC_AMBER_DAYS`` (14 days by default), the same that
turns a step amber in a case's chronology. Team figures count steps (one case may have a late
step of its own and a late request for advice, reg 8(1)); caseloads count cases (assessments
and plans, not requests for advice), as ``ehc kpi`` does.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import NamedTuple, Protocol

from ehc import wording
from ehc.overdue import KINDS, STAGES, STAGES_BY_KIND, Listed, OverdueLine
from statutory.dates import days_left_words, months_after
from statutory.kpi import CASELOAD_KINDS
from statutory.review import Stage as ReviewStage
from statutory.review import latest_meeting_for
from statutory.steps import Rag

REVIEW_HORIZON_MONTHS = 3
"""Reviews listed on the team page: those to hold within this many months (or already late)."""
RAG_WORDS: dict[Rag, str] = {
    Rag.RED: "Red: overdue",
    Rag.AMBER: "Amber: due soon",
    Rag.GREEN: "Green: on track",
    Rag.COMPLETE: "Complete",
}
"""How a rating reads: a tag carries words, never colour alone (WCAG 1.4.1)."""


class CaseRow(Listed, Protocol):
    """One case workflow as the read model keeps it (``ehc.read_model``'s case rows)."""

    @property
    def workflow_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def next_label(self) -> str | None: ...
    @property
    def next_regulation(self) -> str | None: ...
    @property
    def next_due(self) -> date | None: ...
    @property
    def provider(self) -> str | None: ...
    @property
    def review_due(self) -> date | None: ...
    @property
    def phase_transfer_due(self) -> date | None: ...


# --- ratings ---------------------------------------------------------------------------------


def rag_for(days_left: int | None, amber_days: int) -> Rag | None:
    """Red once the target has passed, amber from ``amber_days`` before it, green before that."""
    if days_left is None:
        return None
    if days_left < 0:
        return Rag.RED
    return Rag.AMBER if days_left <= amber_days else Rag.GREEN


def rag_words(rag: Rag | None) -> str:
    return RAG_WORDS[rag] if rag is not None else "No date"


def when_words(days_left: int | None) -> str:
    """ "3 days overdue", "due today", "due in 12 days"; a case with no step open says so."""
    return "no statutory step open" if days_left is None else days_left_words(days_left)


class Rated:
    """A line rated on a day by how many days are left to its date: in words, and its
    rating's words."""

    __slots__ = ()
    days_left: int | None
    rag: Rag | None

    @property
    def when(self) -> str:
        return when_words(self.days_left)

    @property
    def rag_text(self) -> str:
        return rag_words(self.rag)


def caseload_rag(cases: int, target: int, amber_margin: int) -> Rag:
    """Green at or under the target caseload, amber up to ``amber_margin`` over it, red beyond
    (the rule ``statutory.kpi.caseload`` applies to the mean)."""
    if cases <= target:
        return Rag.GREEN
    return Rag.AMBER if cases <= target + amber_margin else Rag.RED


# --- my cases --------------------------------------------------------------------------------


class Section(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due-soon"
    LATER = "later"


@dataclass(frozen=True, slots=True)
class StepLine(Rated):
    """A case workflow's next statutory step, rated on ``today``."""

    workflow_id: str
    case_ref: str
    kind: str
    stage: str
    caseworker: str
    team: str
    step: str
    label: str
    regulation: str
    target: date | None
    days_left: int | None
    rag: Rag | None
    provider: str | None

    @property
    def days_overdue(self) -> int:
        """Days past the target (0: none, or not yet)."""
        return -(self.days_left or 0)

    @property
    def section(self) -> Section:
        if self.rag is Rag.RED:
            return Section.OVERDUE
        return Section.DUE_SOON if self.rag is Rag.AMBER else Section.LATER


def step_line(row: CaseRow, today: date, amber_days: int) -> StepLine:
    target = row.next_due if row.next_step else None
    days_left = (target - today).days if target is not None else None
    return StepLine(
        workflow_id=row.workflow_id,
        case_ref=row.case_ref,
        kind=row.kind,
        stage=row.stage,
        caseworker=row.caseworker,
        team=row.team,
        step=row.next_step or "",
        label=row.next_label or row.next_step or "",
        regulation=row.next_regulation or "",
        target=target,
        days_left=days_left,
        rag=rag_for(days_left, amber_days),
        provider=row.provider,
    )


def _urgency(line: StepLine) -> tuple[int, int]:
    """Soonest first; a line with no date last."""
    return (0, line.days_left) if line.days_left is not None else (1, 0)


@dataclass(frozen=True, slots=True)
class CaseGroup:
    """One case on My cases: its own workflows' next steps, then its requests for advice."""

    case_ref: str
    own: tuple[StepLine, ...]
    advice: tuple[StepLine, ...]

    @property
    def lines(self) -> tuple[StepLine, ...]:
        return self.own + self.advice

    @property
    def soonest(self) -> StepLine:
        return min(self.lines, key=_urgency)

    @property
    def section(self) -> Section:
        """A case sits where its most pressing step puts it (a late advice makes it overdue)."""
        return self.soonest.section


def group_by_case(lines: Iterable[StepLine]) -> list[CaseGroup]:
    """Lines gathered by case reference, most pressing case first."""
    by_ref: dict[str, list[StepLine]] = defaultdict(list)
    for line in lines:
        by_ref[line.case_ref].append(line)
    groups = [
        CaseGroup(
            case_ref=ref,
            own=tuple(sorted((x for x in found if x.kind != "advice"), key=_urgency)),
            advice=tuple(sorted((x for x in found if x.kind == "advice"), key=_urgency)),
        )
        for ref, found in by_ref.items()
    ]
    return sorted(groups, key=lambda g: (_urgency(g.soonest), g.case_ref))


@dataclass(frozen=True, slots=True)
class MyCases:
    overdue: list[CaseGroup]
    due_soon: list[CaseGroup]
    later: list[CaseGroup]

    @property
    def sections(self) -> list[tuple[Section, list[CaseGroup]]]:
        return [
            (Section.OVERDUE, self.overdue),
            (Section.DUE_SOON, self.due_soon),
            (Section.LATER, self.later),
        ]

    @property
    def case_count(self) -> int:
        return len(self.overdue) + len(self.due_soon) + len(self.later)


def my_cases(
    rows: Iterable[CaseRow],
    *,
    today: date,
    amber_days: int,
    kind: str | None = None,
    stage: str | None = None,
) -> MyCases:
    """A caseworker's open cases in three sections: overdue, due within ``amber_days``, the
    rest. ``kind`` and ``stage`` keep only the workflows that match (an advice request is kind
    ``advice``, with its own stages)."""
    lines = [
        step_line(row, today, amber_days)
        for row in rows
        if (kind is None or row.kind == kind) and (stage is None or row.stage == stage)
    ]
    groups = group_by_case(lines)
    return MyCases(
        overdue=[g for g in groups if g.section is Section.OVERDUE],
        due_soon=[g for g in groups if g.section is Section.DUE_SOON],
        later=[g for g in groups if g.section is Section.LATER],
    )


# --- team: overdue and at risk ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tally:
    """Steps overdue and due soon (not yet overdue) for one caseworker, stage..."""

    name: str
    overdue: int
    due_soon: int

    @property
    def total(self) -> int:
        return self.overdue + self.due_soon


def is_overdue(line: OverdueLine) -> bool:
    return line.days_overdue > 0


def tally_by(lines: Iterable[OverdueLine], key: Callable[[OverdueLine], str]) -> list[Tally]:
    """Overdue and due-soon steps counted by ``key``: most overdue first, then by name."""
    late: Counter[str] = Counter()
    soon: Counter[str] = Counter()
    for line in lines:
        (late if is_overdue(line) else soon)[key(line)] += 1
    names = set(late) | set(soon)
    tallies = [Tally(name, late[name], soon[name]) for name in names]
    return sorted(tallies, key=lambda t: (-t.overdue, -t.due_soon, t.name))


def tally_total(tallies: Sequence[Tally]) -> Tally:
    return Tally("Total", sum(t.overdue for t in tallies), sum(t.due_soon for t in tallies))


def line_rag(line: OverdueLine, amber_days: int) -> Rag | None:
    return rag_for(-line.days_overdue, amber_days)


# --- team: caseload --------------------------------------------------------------------------


CASELOAD_WORDS: dict[Rag, str] = {
    Rag.GREEN: "Green: within target",
    Rag.AMBER: "Amber: over target",
    Rag.RED: "Red: well over target",
    Rag.COMPLETE: "Complete",  # never a caseload's rating; here so every rating has words
}


@dataclass(frozen=True, slots=True)
class CaseloadLine:
    caseworker: str
    assessments: int
    reviews: int
    rag: Rag

    @property
    def total(self) -> int:
        return self.assessments + self.reviews

    @property
    def rag_text(self) -> str:
        return CASELOAD_WORDS[self.rag]


def caseloads(
    counts: Iterable[tuple[str, str, int]],
    *,
    target: int,
    amber_margin: int,
    caseworkers: Iterable[str] = (),
) -> list[CaseloadLine]:
    """Open cases per caseworker from ``(caseworker, kind, open cases)``, assessments and
    plans under review only, rated against the council's target; ``caseworkers`` known with
    no open case are listed with none. Most cases first."""
    per: dict[str, Counter[str]] = {cw: Counter() for cw in caseworkers}
    for caseworker, kind, n in counts:
        if kind in CASELOAD_KINDS:
            per.setdefault(caseworker, Counter())[kind] += n
    lines = [
        CaseloadLine(
            caseworker=cw,
            assessments=c["assessment"],
            reviews=c["review"],
            rag=caseload_rag(c["assessment"] + c["review"], target, amber_margin),
        )
        for cw, c in per.items()
    ]
    return sorted(lines, key=lambda x: (-x.total, x.caseworker))


# --- team: advice overdue by provider --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderTally:
    provider: str
    overdue: int
    most_days_overdue: int


def advice_overdue(rows: Iterable[CaseRow], *, today: date, amber_days: int) -> list[StepLine]:
    """Requests for advice past their target (reg 8(1); reg 20(4) for a review's advice),
    most overdue first."""
    lines = [step_line(row, today, amber_days) for row in rows if row.kind == "advice"]
    late = [x for x in lines if x.rag is Rag.RED]
    return sorted(late, key=lambda x: (_urgency(x), x.case_ref, x.workflow_id))


def by_provider(lines: Iterable[StepLine]) -> list[ProviderTally]:
    """Overdue advice counted by provider, the provider with most overdue first."""
    found: dict[str, list[int]] = defaultdict(list)
    for line in lines:
        found[line.provider or "Provider not recorded"].append(line.days_overdue)
    tallies = [ProviderTally(p, len(days), max(days)) for p, days in found.items()]
    return sorted(tallies, key=lambda t: (-t.overdue, -t.most_days_overdue, t.provider))


# --- team: reviews and phase transfers -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DatedCase(Rated):
    """A plan with a date to meet: its review's 12 months, or a phase transfer's deadline."""

    workflow_id: str
    case_ref: str
    stage: str
    caseworker: str
    team: str
    due: date
    days_left: int
    rag: Rag | None
    meeting_by: date | None = None
    """Phase transfers: the latest meeting that still meets the deadline (4 + 8 weeks)."""

    @property
    def deadline_rule(self) -> str:
        """Which of reg 18's dates this is, in words."""
        if (self.due.month, self.due.day) == (2, 15):
            return "15 February (reg 18)"
        if (self.due.month, self.due.day) == (3, 31):
            return "31 March (reg 18)"
        return "5 months before the move (reg 18)"


def _dated(row: CaseRow, due: date, today: date, amber_days: int) -> DatedCase:
    days_left = (due - today).days
    return DatedCase(
        workflow_id=row.workflow_id,
        case_ref=row.case_ref,
        stage=row.stage,
        caseworker=row.caseworker,
        team=row.team,
        due=due,
        days_left=days_left,
        rag=rag_for(days_left, amber_days),
    )


def reviews_due(
    rows: Iterable[CaseRow],
    *,
    today: date,
    amber_days: int,
    months: int = REVIEW_HORIZON_MONTHS,
) -> list[DatedCase]:
    """Plans whose review meeting is still to hold and falls due within ``months`` months
    (CFA s44(1), reg 18: within 12 months of the plan or the last review); one already late
    is listed first. A review whose meeting has been held is no longer due."""
    horizon = months_after(today, months)
    found = [
        _dated(row, row.review_due, today, amber_days)
        for row in rows
        if row.kind == "review"
        and row.stage == ReviewStage.AWAITING_MEETING
        and row.review_due is not None
        and row.review_due <= horizon
    ]
    return sorted(found, key=lambda x: (x.due, x.case_ref))


def phase_transfers(rows: Iterable[CaseRow], *, today: date, amber_days: int) -> list[DatedCase]:
    """Plans to finalise for a move between phases (reg 18): by 15 February (school phases),
    31 March (secondary to post-16), or 5 months before a post-16 move; soonest first."""
    found = []
    for row in rows:
        due = row.phase_transfer_due
        if row.kind != "review" or due is None:
            continue
        if row.stage in (ReviewStage.CONCLUDED, ReviewStage.ENDED):
            continue
        dated = _dated(row, due, today, amber_days)
        found.append(replace(dated, meeting_by=latest_meeting_for(due)))
    return sorted(found, key=lambda x: (x.due, x.case_ref))


def transfers_by_deadline(cases: Iterable[DatedCase]) -> list[tuple[date, int]]:
    """How many plans each phase-transfer deadline has, soonest first."""
    return sorted(Counter(c.due for c in cases).items())


# --- filters ---------------------------------------------------------------------------------


class KindName(NamedTuple):
    """How the screens name a kind of case: one ("Annual review") and many ("Annual reviews")."""

    one: str
    many: str


KIND_NAMES: dict[str, KindName] = {
    "assessment": KindName("Assessment", "Assessments"),
    "review": KindName("Annual review", "Annual reviews"),
    "advice": KindName("Request for advice", "Requests for advice"),
    # The duty clocks (statutory.clock_processes).
    "reassessment": KindName("Re-assessment", "Re-assessments"),
    "tribunal-order": KindName("Tribunal order", "Tribunal orders"),
    "transfer-in": KindName("Plan transferred in", "Plans transferred in"),
    "transfer-out": KindName("Plan moving to another council", "Plans moving to another council"),
    "appeal": KindName("Appeal rights", "Appeal rights"),
}


def kind_words(kind: str) -> str:
    return KIND_NAMES[kind].one if kind in KIND_NAMES else kind


def stage_words(kind: str, stage: str) -> str:
    return wording.stage(kind, stage)


def filter_errors(*, kind: str | None, stage: str | None) -> list[tuple[str, str]]:
    """``(field id, message)`` for a kind or stage the service does not have; a stage must
    belong to the chosen kind."""
    errors: list[tuple[str, str]] = []
    if kind is not None and kind not in KINDS:
        errors.append(("kind", "Choose a kind from the list"))
        kind = None
    stages = STAGES_BY_KIND[kind] if kind is not None else STAGES
    if stage is not None and stage not in stages:
        what = f"{KIND_NAMES[kind].many.lower()} do not have" if kind else "no case has"
        errors.append(("stage", f"Choose a stage from the list: {what} that stage"))
    return errors


Option = dict[str, object]


def options(
    choices: Iterable[tuple[str, str]], selected: str | None, everything: str
) -> list[Option]:
    """Items for a GOV.UK select: ``everything`` (no filter) first, ``selected`` marked."""
    items: list[Option] = [{"value": "", "text": everything, "selected": not selected}]
    items += [{"value": v, "text": t, "selected": v == selected} for v, t in choices]
    return items


def kind_options(selected: str | None) -> list[Option]:
    return options(((k, KIND_NAMES[k].many) for k in KINDS), selected, "All kinds")


def stage_options(selected: str | None) -> list[Option]:
    """Every kind's stages, each named with its kind ("Annual review: amending the plan")."""
    choices = [
        (str(s), f"{KIND_NAMES[k].one}: {stage_words(k, str(s))}")
        for k in KINDS
        for s in STAGES_BY_KIND[k]
    ]
    return options(choices, selected, "All stages")


def blank_none(value: str | None) -> str | None:
    """A GET form's empty field means no filter."""
    value = (value or "").strip()
    return value or None


def today_utc() -> date:
    """The day the pages rate cases on (a dependency: tests fix it)."""
    return datetime.now(UTC).date()


def unknown(what: str, value: str, known: Collection[str], pattern: str) -> str | None:
    """Why a team or caseworker filter is refused (None: it is known). A value that is not
    an id is not repeated: it is often a person's name."""
    if value in known:
        return None
    if re.fullmatch(pattern, value) is None:
        return f"Choose a {what} from the list: that is not a {what} id"
    return f"Choose a {what} from the list: no case names {what} {value}"
