"""Snapshots of the law's output: the calculator over a grid of cases, committed as JSON.

``ehc deadlines assessment`` and ``ehc deadlines review`` are run with ``--json`` on a grid of
histories (requests received and plans made on the 1st and 15th of every month of 2025 and
2026, around the leap day of 2024, and assessments under the coronavirus exception of 2020),
and the duty clocks' calculators (``reassessment``, ``tribunal-order``, ``transfer-in``,
``transfer-out``, ``appeal``) on a grid of dates (the same days, every type of order, moves
around each bank holiday of 2025 and 2026 and the leap days of 2024 and 2028); their output is
compared with ``tests/snapshots/<process>.json``. Any change to a rule
then shows as a diff of those files, to be reviewed like code. After an intended change::

    EHC_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/unit/test_snapshots.py

Each case runs the real command in this process (built as ``ehc`` builds it, options parsed
by click), so a case costs milliseconds; every history is audited ``--on`` a fixed day, so
nothing depends on today. A case the rules refuse is kept too, as its exit status and error.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import os
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import cache
from itertools import count
from pathlib import Path
from typing import Any

import click
import pytest

from ehc.cli.common import Fail
from ehc.cli.main import load
from statutory import exceptions as exc
from statutory import review as rv
from statutory.steps import StepState

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
UPDATE = os.environ.get("EHC_UPDATE_SNAPSHOTS") == "1"
W = 7  # days in a week: history offsets below are written in weeks and days

Args = list[str]
Scenario = Callable[[date, int], Args]
"""A history as options, from its first day and the case's position in the grid."""


def on(first: date, days: int) -> str:
    return (first + timedelta(days=days)).isoformat()


# --- the months ------------------------------------------------------------------------------

#: The 1st and 15th of every month of two years, and the days either side of a leap day.
DAYS = [
    date(2024, 2, 28),
    date(2024, 3, 1),
    *(date(y, m, d) for y in (2025, 2026) for m in range(1, 13) for d in (1, 15)),
]
#: The leap day itself: every scenario is run from it.
LEAP_DAY = date(2024, 2, 29)
ROTATED_PER_DAY = 2
"""Scenarios beyond the core run from each of ``DAYS``, taken in turn from the list, so
every scenario falls in many months and the files stay small."""


def grid(first_option: str, core: dict[str, Scenario], rotating: dict[str, Scenario]) -> list[Args]:
    """Every core scenario from every day, the rotating ones in turn, and all from 29 Feb."""
    names = list(rotating)
    cases: list[Args] = []
    for i, first in enumerate(DAYS):
        chosen = [names[(i * ROTATED_PER_DAY + j) % len(names)] for j in range(ROTATED_PER_DAY)]
        for name in [*core, *chosen]:
            scenario = core.get(name) or rotating[name]
            cases.append([first_option, first.isoformat(), *scenario(first, i)])
    for scenario in [*core.values(), *rotating.values()]:
        cases.append([first_option, LEAP_DAY.isoformat(), *scenario(LEAP_DAY, 0)])
    return cases


# --- assessments (regs 4-13) -----------------------------------------------------------------


def decided_and_advised(r: date, decided: int, received: int) -> Args:
    """A decision to assess, one request for advice the next day, answered on ``received``."""
    return [
        *("--decided-to-assess", on(r, decided)),
        *("--advice-requested", on(r, decided + 1)),
        *("--advice-received", f"1:{on(r, received)}"),
    ]


ASSESSMENT_CORE: dict[str, Scenario] = {
    "as-received": lambda r, _: ["--on", on(r, 0)],
    "on-time": lambda r, _: [
        *("--decided-to-assess", on(r, 5 * W)),
        *("--advice-requested", on(r, 5 * W + 1), "--advice-type", "1:educational"),
        *("--advice-requested", f"{on(r, 5 * W + 1)}:{on(r, 5 * W + 3)}"),
        *("--advice-type", "2:psychological"),
        *("--advice-received", f"1:{on(r, 10 * W)}", "--advice-received", f"2:{on(r, 11 * W)}"),
        *("--draft-served", on(r, 16 * W), "--final-issued", on(r, 19 * W)),
        *("--on", on(r, 26 * W)),
    ],
    "late": lambda r, _: [
        *decided_and_advised(r, 7 * W, 14 * W),
        *("--draft-served", on(r, 20 * W), "--final-issued", on(r, 23 * W)),
        *("--on", on(r, 26 * W)),
    ],
}


def closure(reason: str) -> Scenario:
    """A closure of 5 weeks while educational advice is sought (reg 5(4)(a), (b)): the
    final plan is excepted, the adviser's late reply is not (reg 8(2) has no closure)."""
    return lambda r, _: [
        *("--decided-to-assess", on(r, 4 * W)),
        *("--advice-requested", on(r, 4 * W + 1), "--advice-type", "1:educational"),
        *("--exception", f"{reason}:{on(r, 5 * W)}:{on(r, 10 * W - 1)}"),
        *("--advice-received", f"1:{on(r, 10 * W + 2)}"),
        *("--draft-served", on(r, 19 * W), "--final-issued", on(r, 23 * W)),
        *("--on", on(r, 30 * W)),
    ]


ASSESSMENT_ROTATING: dict[str, Scenario] = {
    "absence-from-area": lambda r, _: [
        *decided_and_advised(r, 5 * W, 12 * W),
        *("--exception", f"absence-from-area:{on(r, 6 * W)}:{on(r, 12 * W - 1)}"),
        *("--draft-served", on(r, 20 * W), "--final-issued", on(r, 24 * W)),
        *("--on", on(r, 30 * W)),
    ],
    "personal-circumstances": lambda r, _: [
        *("--exception", f"personal-circumstances:{on(r, 2 * W)}:{on(r, 3 * W - 1)}"),
        *decided_and_advised(r, 6 * W + 3, 12 * W),
        *("--draft-served", on(r, 18 * W), "--final-issued", on(r, 20 * W + 5)),
        *("--on", on(r, 26 * W)),
    ],
    "school-closure": closure("school-closure"),
    "early-years-closure": closure("early-years-closure"),
    "missed-appointment": lambda r, _: [
        *decided_and_advised(r, 5 * W, 12 * W),
        *("--advice-requested", on(r, 5 * W + 2), "--advice-received", f"2:{on(r, 11 * W)}"),
        *("--exception", f"missed-appointment:{on(r, 7 * W)}:{on(r, 7 * W + 6)}:1"),
        *("--draft-served", on(r, 16 * W), "--final-issued", on(r, 19 * W)),
        *("--on", on(r, 26 * W)),
    ],
    "not-assessed": lambda r, _: ["--decided-not-to-assess", on(r, 5 * W), "--on", on(r, 8 * W)],
    "not-assessed-late": lambda r, _: [
        *("--decided-not-to-assess", on(r, 8 * W), "--on", on(r, 10 * W))
    ],
    "not-issued": lambda r, _: [
        *decided_and_advised(r, 4 * W, 9 * W),
        *("--decided-not-to-issue", on(r, 15 * W), "--on", on(r, 20 * W)),
    ],
    "not-issued-late": lambda r, _: [
        *decided_and_advised(r, 4 * W, 9 * W),
        *("--decided-not-to-issue", on(r, 17 * W), "--on", on(r, 20 * W)),
    ],
    "withdrawn": lambda r, _: [
        *("--decided-to-assess", on(r, 4 * W), "--advice-requested", on(r, 4 * W + 1)),
        *("--withdrawn", on(r, 8 * W), "--on", on(r, 10 * W)),
    ],
    "overdue": lambda r, _: [
        *("--decided-to-assess", on(r, 5 * W), "--advice-requested", on(r, 5 * W + 1)),
        *("--on", on(r, 21 * W)),
    ],
    "advice-set-aside": lambda r, _: [
        *decided_and_advised(r, 5 * W, 9 * W),
        *("--advice-requested", on(r, 5 * W + 1), "--advice-requested", on(r, 5 * W + 2)),
        *("--advice-not-needed", "2:earlier-advice-sufficient"),
        *("--advice-not-needed", "3:request-withdrawn"),
        *("--draft-served", on(r, 15 * W), "--final-issued", on(r, 18 * W)),
        *("--on", on(r, 26 * W)),
    ],
    "representations-received": lambda r, _: [
        *decided_and_advised(r, 5 * W, 10 * W),
        *("--draft-served", on(r, 17 * W), "--final-issued", on(r, 17 * W + 5)),
        *("--representations-received", "--on", on(r, 20 * W)),
    ],
    "draft-served": lambda r, _: [
        *decided_and_advised(r, 5 * W, 10 * W),
        *("--draft-served", on(r, 17 * W), "--on", on(r, 18 * W)),
    ],
    "decision-overdue": lambda r, _: ["--on", on(r, 7 * W)],
}

#: Reg 2A (SI 2020/471): any limit, 1 May to 25 September 2020.
CORONAVIRUS: list[Args] = [
    [
        *("--received", "2020-03-02", "--decided-to-assess", "2020-04-06"),
        *("--advice-requested", "2020-04-07", "--advice-received", "1:2020-06-30"),
        *("--exception", "coronavirus:2020-05-01:2020-09-25"),
        *("--draft-served", "2020-09-01", "--final-issued", "2020-10-01", "--on", "2020-12-01"),
    ],
    [
        *("--received", "2020-06-15", "--decided-to-assess", "2020-08-20"),
        *("--advice-requested", "2020-08-21", "--advice-received", "1:2020-10-30"),
        *("--exception", "coronavirus:2020-06-15:2020-09-25"),
        *("--draft-served", "2020-12-01", "--final-issued", "2021-01-20", "--on", "2021-03-01"),
    ],
    [
        *("--received", "2020-01-15", "--decided-to-assess", "2020-02-20"),
        *("--advice-requested", "2020-04-20", "--advice-received", "1:2020-07-01"),
        *("--exception", "coronavirus:2020-05-01:2020-05-31:1"),
        *("--draft-served", "2020-07-10", "--final-issued", "2020-08-01", "--on", "2020-09-01"),
    ],
]
#: Refused: advice outstanding at the final plan (reg 6(1)); an absence under 4 weeks; a
#: closure with no educational advice asked for (reg 5(4)(a)); coronavirus outside 2020.
REFUSED: list[Args] = [
    [
        *("--received", "2026-01-05", "--decided-to-assess", "2026-02-02"),
        *("--advice-requested", "2026-02-03", "--draft-served", "2026-04-20"),
        *("--final-issued", "2026-05-11", "--on", "2026-06-01"),
    ],
    [
        *("--received", "2025-05-21", "--exception", "absence-from-area:2025-06-01:2025-06-27"),
        *("--on", "2025-07-01"),
    ],
    [
        *("--received", "2025-05-21", "--decided-to-assess", "2025-06-20"),
        *("--advice-requested", "2025-06-21"),
        *("--exception", "school-closure:2025-07-01:2025-08-31", "--on", "2025-09-01"),
    ],
    ["--received", "2025-05-21", "--exception", "coronavirus:2025-06-01:2025-06-10"],
]


# --- annual reviews (CFA s44, regs 18-22) ----------------------------------------------------


def maintained(p: date, _: int) -> Args:
    """Arranged, invited and circulated in time, held before the 12 months, decided in time."""
    return [
        *("--meeting-scheduled", on(p, 36 * W), "--meeting", on(p, 46 * W)),
        *("--invitations-sent", on(p, 43 * W), "--advice-circulated", on(p, 44 * W)),
        *("--report-sent", on(p, 47 * W), "--decision", f"{on(p, 49 * W)}:maintain"),
        *("--on", on(p, 60 * W)),
    ]


def ceased(appeal: str | None) -> Scenario:
    def history(p: date, _: int) -> Args:
        args = ["--meeting", on(p, 45 * W), "--decision", f"{on(p, 47 * W)}:cease"]
        if appeal is None:  # the plan ceases when the 2-month window closes (CFA s45)
            return [*args, "--on", on(p, 60 * W)]
        return [
            *args,
            *("--appeal-lodged", on(p, 50 * W), "--appeal-concluded", f"{on(p, 60 * W)}:{appeal}"),
            *("--on", on(p, 64 * W)),
        ]

    return history


def under_five(p: date, i: int) -> Args:
    """A child of 2, under the local policy of 3 to 6 months (CoP 9.178), reviewed in time."""
    months = 3 + i % 4
    return [
        *("--dob", on(p, -730), "--under-five-months", str(months)),
        *("--meeting", on(p, months * 4 * W), "--report-sent", on(p, months * 4 * W + 7)),
        *("--decision", f"{on(p, months * 4 * W + 14)}:maintain", "--on", on(p, 60 * W)),
    ]


REVIEW_ROTATING: dict[str, Scenario] = {
    "late-amended": lambda p, _: [
        *("--meeting-scheduled", on(p, 44 * W), "--meeting", on(p, 54 * W)),
        *("--invitations-sent", on(p, 53 * W), "--advice-circulated", on(p, 52 * W)),
        *("--report-sent", on(p, 57 * W), "--decision", f"{on(p, 60 * W)}:amend"),
        *("--amendment-notice", on(p, 60 * W), "--final-amended", on(p, 70 * W)),
        *("--on", on(p, 75 * W)),
    ],
    "amended": lambda p, _: [
        *("--meeting", on(p, 44 * W), "--report-sent", on(p, 45 * W)),
        *("--decision", f"{on(p, 47 * W)}:amend", "--amendment-notice", on(p, 47 * W)),
        *("--final-amended", on(p, 52 * W), "--on", on(p, 60 * W)),
    ],
    "amended-representations-in": lambda p, _: [
        *("--meeting", on(p, 44 * W), "--decision", f"{on(p, 46 * W)}:amend"),
        *("--amendment-notice", on(p, 46 * W), "--final-amended", on(p, 46 * W + 10)),
        *("--representations-received", "--on", on(p, 55 * W)),
    ],
    "amending": lambda p, _: [
        *("--meeting", on(p, 44 * W), "--decision", f"{on(p, 47 * W)}:amend"),
        *("--amendment-notice", on(p, 48 * W), "--on", on(p, 55 * W)),
    ],
    "ceased": ceased(None),
    "cease-appeal-continues": ceased("continues"),
    "cease-appeal-ceases": ceased("ceases"),
    "ceasing": lambda p, _: [
        *("--meeting", on(p, 45 * W), "--decision", f"{on(p, 47 * W)}:cease"),
        *("--on", on(p, 49 * W)),
    ],
    "transferred-out": lambda p, _: [
        *("--meeting-scheduled", on(p, 30 * W), "--meeting", on(p, 40 * W)),
        *("--transferred-out", on(p, 35 * W), "--on", on(p, 38 * W)),
    ],
    "anchor-meeting": lambda p, i: ["--anchor", "meeting", *maintained(p, i)],
    "meeting-overdue": lambda p, _: [
        *("--meeting-scheduled", on(p, 40 * W), "--meeting", on(p, 56 * W)),
        *("--on", on(p, 54 * W)),
    ],
    "decision-overdue": lambda p, _: ["--meeting", on(p, 46 * W), "--on", on(p, 52 * W)],
    "under-five": under_five,
    "under-five-late": lambda p, i: ["--dob", on(p, -3 * 365), *maintained(p, i)],
    "about-five": lambda p, i: ["--dob", on(p, -5 * 365 - 1), *maintained(p, i)],
}

KINDS = list(rv.TransferKind)
#: Days of a post-16 move: its deadline is 5 months before (reg 18(2)), 31 Jul -> 28/29 Feb.
MOVES = [(9, 1), (7, 31), (1, 31)]


def phase(kind: rv.TransferKind, year: int, i: int) -> rv.PhaseTransfer:
    """A transfer of ``kind`` in ``year``; a post-16 move on one of ``MOVES``, in turn (each
    round of ``KINDS`` takes the next)."""
    month, day = MOVES[i // len(KINDS) % len(MOVES)]
    move = date(year, month, day) if kind is rv.TransferKind.POST16_POST16 else None
    return rv.PhaseTransfer(kind=kind, year=year, move_date=move)


def transfer(p: date, kind: rv.TransferKind, i: int, later: int = 0) -> tuple[Args, date]:
    """The options of a transfer of ``kind``, ``later`` years after the first one whose
    deadline leaves 20 weeks from ``p``, and its deadline (reg 18)."""
    leaves_time = p + timedelta(weeks=20)
    first = next(y for y in count(p.year) if rv.transfer_deadline(phase(kind, y, i)) >= leaves_time)
    chosen = phase(kind, first + later, i)
    when = (
        ["--move-date", chosen.move_date.isoformat()]
        if chosen.move_date
        else ["--transfer-year", str(chosen.year)]
    )
    return ["--transfer", kind.value, *when], rv.transfer_deadline(chosen)


def transferring(p: date, i: int) -> Args:
    """Each kind of transfer in turn, reviewed and amended for it; in alternate rounds of the
    kinds, the amended plan is finalised after the deadline."""
    options, deadline = transfer(p, KINDS[i % len(KINDS)], i)
    finalised = 1 * W if (i // len(KINDS)) % 2 else -6 * W
    return [
        *options,
        *("--meeting", on(deadline, -14 * W), "--decision", f"{on(deadline, -12 * W)}:amend"),
        *("--amendment-notice", on(deadline, -12 * W)),
        *("--final-amended", on(deadline, finalised), "--on", on(deadline, 4 * W)),
    ]


def as_made(p: date, i: int) -> Args:
    """The dates alone, with another kind's transfer the year after: in this cycle only if
    its deadline is within 24 months."""
    options, _ = transfer(p, KINDS[(i + 3) % len(KINDS)], i, later=1)
    return [*options, "--on", on(p, 0)]


REVIEW_CORE: dict[str, Scenario] = {
    "as-made": as_made,
    "maintained": maintained,
    "transfer": transferring,
}


def review_cases() -> list[Args]:
    by_plan = grid("--plan-date", REVIEW_CORE, REVIEW_ROTATING)
    # The core histories of the first days once more, from a last review rather than a plan.
    from_review = [["--last-review", *args[1:]] for args in by_plan[: 2 * len(REVIEW_CORE)]]
    return by_plan + from_review


def assessment_cases() -> list[Args]:
    return grid("--received", ASSESSMENT_CORE, ASSESSMENT_ROTATING) + CORONAVIRUS + REFUSED


# --- the duty clocks: re-assessments, Tribunal orders, transfers, appeals --------------------

#: Every day of the grid and the leap day: the duty clocks take dates alone, no history.
ALL_DAYS = [*DAYS, LEAP_DAY]
ORDER_TYPES = [
    *("assess", "reassess", "make-plan", "reconsider"),
    *("amend", "school", "continue", "continue-amend"),
]
#: The bank holidays of England and Wales in 2025 and 2026 (Boxing Day 2026 is a Saturday:
#: the 28th stands for it), with the leap days: the days working days are counted around.
HOLIDAYS = [
    *(date(2025, m, d) for m, d in ((1, 1), (4, 18), (4, 21), (5, 5), (5, 26), (8, 25))),
    *(date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1), date(2026, 4, 3)),
    *(date(2026, m, d) for m, d in ((4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28))),
    LEAP_DAY,
    date(2028, 2, 29),
]


def reassessment_cases() -> list[Args]:
    """Requests alone, decided 12 days on, and a council's own decisions (reg 25(1), 27(2));
    refused: a decision before its request."""
    cases: list[Args] = []
    for r in ALL_DAYS:
        cases.append(["--requested", r.isoformat()])
        cases.append(["--requested", r.isoformat(), "--decided", on(r, 12)])
        cases.append(["--decided", r.isoformat()])
    return [*cases, ["--requested", "2026-01-05", "--decided", "2026-01-04"]]


def tribunal_order_cases() -> list[Args]:
    """Every type of order from every day (reg 44(2)); a concession of each type but
    reconsider, in turn (reg 45); refused: a concession to reconsider."""
    conceded = [kind for kind in ORDER_TYPES if kind != "reconsider"]
    cases: list[Args] = []
    for i, first in enumerate(ALL_DAYS):
        for kind in ORDER_TYPES:
            cases.append(["--order-date", first.isoformat(), "--order", kind])
        kind = conceded[i % len(conceded)]
        cases.append(["--order-date", first.isoformat(), "--order", kind, "--conceded"])
    return [*cases, ["--order-date", "2026-03-02", "--order", "reconsider", "--conceded"]]


def transfer_out_cases() -> list[Args]:
    """Learning of a move in the days up to each holiday: a move 3 days earlier, 1 week on,
    3 weeks on, or 8 weeks on (reg 15(2)). Holidays a day apart share some cases: once each."""
    cases = {
        (on(h, before + after), on(h, before)): None
        for h in HOLIDAYS
        for before in (-4, -1, 0)
        for after in (-3, W, 3 * W, 8 * W)
    }
    return [["--move-date", move, "--aware-on", aware] for move, aware in cases]


def transfer_in_cases() -> list[Args]:
    """Transfers on each day and holiday: of a plan made 10 or 11 months before, and of one
    last reviewed 8 or 10 months before (reg 15(4), 15(5)); and plans of 29 February."""
    cases: list[Args] = []
    for i, t in enumerate([*ALL_DAYS, *HOLIDAYS[:-2]]):
        months = 10 + i % 2
        cases.append(["--transfer-date", t.isoformat(), "--plan-date", on(t, -months * 30)])
        cases.append(["--transfer-date", t.isoformat(), "--last-review", on(t, -(months - 2) * 30)])
    leap = [
        ("2024-02-29", "2024-03-01"),
        ("2024-02-29", "2024-10-01"),
        ("2024-02-29", "2025-01-15"),
    ]
    leap += [("2027-03-01", "2027-11-30"), ("2027-05-29", "2028-02-29")]
    cases += [["--transfer-date", t, "--plan-date", p] for p, t in leap]
    cases += [
        ["--transfer-date", t, "--last-review", "2028-02-29"] for t in ("2028-03-15", "2028-11-29")
    ]
    return cases


def appeal_cases() -> list[Args]:
    """A notice on every day; with a certificate 5 or 10 weeks on (r20(1)(c)), and mediation
    wanted, declined or held around the holidays (regs 34, 35, 37, 39)."""
    cases: list[Args] = []
    for i, n in enumerate(ALL_DAYS):
        cases.append(["--notice", n.isoformat()])
        cases.append(["--notice", n.isoformat(), "--certificate", on(n, (5 + 5 * (i % 2)) * W)])
    for h in HOLIDAYS:
        n = on(h, -3 * W)
        cases.append(
            ["--notice", n, "--mediation-wanted", on(h, -1), "--health-mediation", on(h, -1)]
        )
        cases.append(["--notice", n, "--mediation-declined", on(h, -1)])
        cases.append(["--notice", n, "--mediation", on(h, 0), "--certificate", on(h, 2)])
    return cases


CASES: dict[str, Callable[[], list[Args]]] = {
    "assessment": assessment_cases,
    "review": review_cases,
    "reassessment": reassessment_cases,
    "tribunal-order": tribunal_order_cases,
    "transfer-in": transfer_in_cases,
    "transfer-out": transfer_out_cases,
    "appeal": appeal_cases,
}
#: The calculators that audit a history, and so rate steps.
AUDITED = ["assessment", "review"]
DUTY_CLOCKS = [process for process in CASES if process not in AUDITED]


# --- running the calculator ------------------------------------------------------------------


def run(command: click.Command, args: Args) -> dict[str, Any]:
    """``ehc deadlines <command> <args>``: its JSON, or its exit status and one-line error."""
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            command.main(args, prog_name=command.name, standalone_mode=False)
    except Fail as failure:
        return {"exit_status": failure.code, "error": str(failure)}
    output: dict[str, Any] = json.loads(printed.getvalue())
    return output


@cache
def computed(process: str) -> list[dict[str, Any]]:
    command = load("deadlines").commands[process]
    cases = [[*args, "--json"] for args in CASES[process]()]
    assert len({tuple(a) for a in cases}) == len(cases), "a case of the grid is repeated"
    return [{"args": args, "output": run(command, args)} for args in sorted(cases)]


def as_text(cases: list[dict[str, Any]]) -> str:
    return json.dumps(cases, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def differences(
    stored: list[dict[str, Any]], fresh: list[dict[str, Any]], shown: int = 3
) -> Iterator[str]:
    """What changed, readably: cases gone and new, then the first few changed outputs."""
    old = {tuple(c["args"]): c["output"] for c in stored}
    new = {tuple(c["args"]): c["output"] for c in fresh}
    gone, added = old.keys() - new.keys(), new.keys() - old.keys()
    changed = [args for args in new if args in old and old[args] != new[args]]
    yield f"{len(changed)} cases changed, {len(added)} new, {len(gone)} no longer in the grid"
    for args in sorted(gone)[:shown]:
        yield f"  gone: {' '.join(args)}"
    for args in sorted(added)[:shown]:
        yield f"  new:  {' '.join(args)}"
    for args in changed[:shown]:
        before = json.dumps(old[args], indent=2, sort_keys=True).splitlines()
        after = json.dumps(new[args], indent=2, sort_keys=True).splitlines()
        diff = list(difflib.unified_diff(before, after, "snapshot", "now", n=3, lineterm=""))
        yield f"\n{' '.join(args)}"
        yield from diff[2:40]


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("process", list(CASES))
def test_output_matches_snapshot(process: str) -> None:
    path = SNAPSHOTS / f"{process}.json"
    fresh = computed(process)
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(as_text(fresh), encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path}: run with EHC_UPDATE_SNAPSHOTS=1 to write it"
    stored = json.loads(path.read_text(encoding="utf-8"))
    if stored != fresh:
        pytest.fail(
            f"ehc deadlines {process}: the output differs from {path.name}.\n"
            + "\n".join(differences(stored, fresh))
            + "\nIf the change is intended, rewrite the snapshots with EHC_UPDATE_SNAPSHOTS=1 "
            ".venv/bin/pytest tests/unit/test_snapshots.py and review their diff.",
            pytrace=False,
        )
    assert path.read_text(encoding="utf-8") == as_text(fresh), "snapshot not in canonical form"


@pytest.mark.parametrize("process", AUDITED)
def test_the_grid_reaches_every_status(process: str) -> None:
    """A grid the rules mostly refused would snapshot little of the law. Reviews have no
    exceptions, so no step of theirs is ever excepted."""
    reached = {
        step["status"] for case in computed(process) for step in case["output"].get("steps") or []
    }
    expected = {state.value for state in StepState}
    assert reached == (expected - {"excepted"} if process == "review" else expected)


def test_only_the_chosen_histories_are_refused() -> None:
    refused = [c["args"][:-1] for c in computed("assessment") if "error" in c["output"]]
    assert sorted(refused) == sorted(REFUSED)
    assert {
        c["output"]["exit_status"] for c in computed("assessment") if "error" in c["output"]
    } == {2}
    assert not [c["args"] for c in computed("review") if "error" in c["output"]]
    refused = {
        process: [c["args"][:-1] for c in computed(process) if "error" in c["output"]]
        for process in DUTY_CLOCKS
    }
    assert refused == {
        "reassessment": [["--requested", "2026-01-05", "--decided", "2026-01-04"]],
        "tribunal-order": [["--order-date", "2026-03-02", "--order", "reconsider", "--conceded"]],
        "transfer-in": [],
        "transfer-out": [],
        "appeal": [],
    }


@pytest.mark.parametrize("process", DUTY_CLOCKS)
def test_the_grid_gives_every_date_of_each_duty_clock(process: str) -> None:
    """Each date a duty clock's calculator can give is given somewhere in its grid."""
    outputs = [c["output"] for c in computed(process) if "error" not in c["output"]]
    keys = {key for output in outputs for key in output}
    assert keys == {key for output in outputs for key, value in output.items() if value}


def test_the_grid_covers_every_ending_exception_and_transfer() -> None:
    assessments = [c["output"] for c in computed("assessment") if "error" not in c["output"]]
    endings = {o["outcome"]["ending"] for o in assessments if o["outcome"]}
    assert endings == {"plan-issued", "not-assessed", "not-issued", "withdrawn"}
    reasons = {e["reason"] for o in assessments for e in o["exceptions"]}
    assert reasons == {r.value for r in exc.Reason}
    reviews = [c["output"] for c in computed("review")]
    ended = [o["outcome"] for o in reviews if o["outcome"]]
    assert {o["decision"] for o in ended} == {None, *rv.Decision}
    assert {o["plan_ended"] for o in ended} == {None, *rv.PlanEnding}
    assert {o["phase_transfer"] for o in ended} == {None, *rv.TransferKind}
    assert {o["category"] for o in reviews} == set(rv.Category)
    assert any(o["under_five_review_by"] for o in reviews)
