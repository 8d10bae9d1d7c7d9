"""Annual reviews of EHC plans, as a book of plans counted by next review date.

CFA s44(1) and reg 18: a plan is reviewed within 12 months of being made, then within 12 months
of each previous review (docs/LAW.md: "within 12 months of D" is the same date a year on, 29 Feb
-> 28 Feb). The due date comes from ``statutory.review.review_due`` through ``next_review_due``.
The 12-month clock runs on from the day the review concluded: the decision notice, the rules
core's default anchor (``statutory.review.AnchorMode.DECISION``, IPSEA's reading). A review is
one step here (meeting, decision and any amendment together).

Phase transfers (reg 18(1)): a plan whose next review is the one for a move between phases
of education must be reviewed and amended by 15 February of the year of the move for a move
to or within school (into school, to junior, to secondary school: reg 18(1)(b)), and by
31 March for a move from secondary school to a post-16 institution (reg 18(1)(a)). The
simulator takes that year to be the one the 12-month due date falls in
(``transfer_review_due``): a review due after the move's deadline is brought forward to it;
one due on or before it already meets it, and is an ordinary review here. Moves between
post-16 institutions (5 months before the move, reg 18(2)) are not modelled apart.

Plans are interchangeable for the timeline, so the book keeps counts per due day, not plans: a
national book of 640,000 plans costs a few thousand dictionary entries.

Which reviews were phase transfers: the book counts a day's plans in one total, which is all
the fast engine reads, and beside it, for a day that reviews were brought forward to, how many
of them came from each 12-month due date and for which move (``ReviewBook.bring_forward``).
A day brought forward to is its move's deadline, so its transfers are all for one move.
Which reviews are taken, in what order and in what ``ReviewsDone`` counts depends on the
totals only; of those taken from a day, the transfers are counted first, earliest 12-month
date first (a fixed rule: the plans of a day are alike), and ``ReviewsDone.transfers`` says
how many and from when, ``ReviewsDone.move`` for which move. Nothing is drawn for the split,
so it changes no result of a run; the faithful engine reads it to replay transfer reviews
through the review workflow.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from scenarios.model import Policy
from statutory import review


@lru_cache(maxsize=4096)
def next_review_due(concluded: date) -> date:
    """The day by which the next review must be done, after a plan is made or reviewed (the
    same few hundred days again and again: remembered)."""
    return review.review_due(concluded)


#: The moves the simulator brings reviews forward for. Any move to or within school shares
#: one deadline (15 February, reg 18(1)(b)): the move from primary to secondary stands for
#: them all. From secondary school to a post-16 institution: 31 March (reg 18(1)(a)).
SCHOOL_MOVE = review.TransferKind.PRIMARY_SECONDARY
POST16_MOVE = review.TransferKind.SECONDARY_POST16


def phase_transfer(due: date, move: review.TransferKind = SCHOOL_MOVE) -> review.PhaseTransfer:
    """The phase transfer a review brought forward for ``move`` is for, for a plan whose next
    review would be due on ``due`` by 12 months: ``move`` in the year ``due`` falls in."""
    return review.PhaseTransfer(kind=move, year=due.year)


@lru_cache(maxsize=4096)
def transfer_review_due(due: date, move: review.TransferKind = SCHOOL_MOVE) -> date:
    """The day by which a phase-transfer review for ``move`` must be done, for a plan whose
    next review would be due on ``due``: the move's deadline in that year (15 February for a
    school move, 31 March for one to post-16; reg 18(1), ``statutory.review.transfer_deadline``)
    if it comes first, else ``due`` itself."""
    return min(due, review.transfer_deadline(phase_transfer(due, move)))


@dataclass(frozen=True, slots=True)
class ReviewsDone:
    """Reviews concluded on one day, for plans due on ``due``."""

    due: date
    concluded: date
    count: int
    transfers: tuple[tuple[date, int], ...] = ()
    """Of ``count``, the plans whose review was brought forward to ``due`` for a phase
    transfer: (12-month due date, how many), earliest date first; the rest were due on ``due``
    by 12 months."""
    move: review.TransferKind = SCHOOL_MOVE
    """The move ``transfers`` were brought forward for (``due`` is its deadline); a school
    move where there are none."""

    @property
    def in_time(self) -> bool:
        return self.concluded <= self.due


@dataclass(slots=True)
class ReviewBook:
    """Plans in force, counted by the day their next annual review is due."""

    _by_due: dict[date, int] = field(default_factory=dict)
    _days: list[date] = field(default_factory=list)
    """The days of ``_by_due`` in order, so a week reads only the days it needs."""
    _plans: int = 0
    _transfers: dict[date, dict[date, int]] = field(default_factory=dict)
    """Of the plans counted on a day, those brought forward to it for a phase transfer, by
    their 12-month due date (only days that have some)."""
    _moves: dict[date, review.TransferKind] = field(default_factory=dict)
    """The move the transfers of a day were brought forward for, when not a school move."""

    def add(self, due: date, count: int = 1, twelve_months: date | None = None) -> None:
        """``count`` plans whose next review is due on ``due``; ``twelve_months``: their
        12-month due date, when their review was brought forward to ``due`` for a phase
        transfer (``transfer_review_due``; a school move, unless ``bring_forward`` says)."""
        if count > 0:
            n = self._by_due.get(due)
            if n is None:
                insort(self._days, due)
                n = 0
            self._by_due[due] = n + count
            self._plans += count
            if twelve_months is not None:
                moved = self._transfers.setdefault(due, {})
                moved[twelve_months] = moved.get(twelve_months, 0) + count

    def bring_forward(
        self, due: date, count: int, twelve_months: date, move: review.TransferKind
    ) -> None:
        """``count`` plans whose review, due on ``twelve_months`` by 12 months, was brought
        forward to ``due`` for ``move`` (``transfer_review_due``): ``due`` is the move's
        deadline, so a day's transfers are all for one move."""
        if count <= 0:
            return
        if due in self._transfers and self._moves.get(due, SCHOOL_MOVE) is not move:
            raise ValueError(f"{due}: plans brought forward to it for two moves")
        if move is not SCHOOL_MOVE:
            self._moves[due] = move
        self.add(due, count, twelve_months)

    @property
    def plans(self) -> int:
        return self._plans

    def overdue(self, as_of: date) -> int:
        """Reviews not done by their due date, as at the end of ``as_of``."""
        by_due = self._by_due
        return sum(by_due[due] for due in self._days[: bisect_left(self._days, as_of)])

    def take(
        self, limit: int, week_start: date, week_end: date, lead_days: int, policy: Policy
    ) -> list[ReviewsDone]:
        """Hold up to ``limit`` reviews this week, in the order ``policy`` sets.

        A review can be held from ``lead_days`` before its due date. One due on or after the
        week's start is concluded on its due day (or the week's last day, if earlier still);
        an overdue one on a weekday of this week, spread Monday to Friday.

        ``oldest-first`` and ``nearest-deadline-first`` take them by due date. Under
        ``new-in-time-first`` the reviews due this week come first (held now, they stay within
        12 months), then the overdue ones, oldest first, and only then those not due until a
        later week: holding a review early keeps nothing in time that its own week would not,
        and brings the next one forward (12 months from the review, reg 18), so early reviews
        put first would take every hour for more than a year while the overdue ones waited.
        """
        if limit <= 0:
            return []
        horizon = week_end + timedelta(days=lead_days)
        ready = self._days[: bisect_right(self._days, horizon)]
        if policy is Policy.NEW_IN_TIME_FIRST:
            ready = (
                [d for d in ready if week_start <= d <= week_end]
                + [d for d in ready if d < week_start]
                + [d for d in ready if d > week_end]
            )
        done: list[ReviewsDone] = []
        for due in ready:
            if limit == 0:
                break
            n = min(limit, self._by_due[due])
            limit -= n
            self._plans -= n
            left = self._by_due[due] - n
            if left:
                self._by_due[due] = left
            else:
                del self._by_due[due]
                del self._days[bisect_left(self._days, due)]
            move = self._moves.get(due, SCHOOL_MOVE) if self._moves else SCHOOL_MOVE
            moved = self._take_transfers(due, n) if self._transfers else []
            if due >= week_start:
                done.append(ReviewsDone(due, min(due, week_end), n, tuple(moved), move))
                continue
            base, extra = divmod(n, 5)  # overdue: spread over the week's first five days
            for k in range(5):
                share = base + (1 if k < extra else 0)
                if share:
                    on = week_start + timedelta(days=k)
                    done.append(ReviewsDone(due, on, share, _first(moved, share), move))
        return done

    def _take_transfers(self, due: date, n: int) -> list[tuple[date, int]]:
        """Of ``n`` plans taken from those due on ``due``, the phase transfers: counted first,
        earliest 12-month date first."""
        by_date = self._transfers.get(due)
        if by_date is None:
            return []
        taken: list[tuple[date, int]] = []
        for twelve_months in sorted(by_date):
            if n == 0:
                break
            k = min(n, by_date[twelve_months])
            taken.append((twelve_months, k))
            n -= k
            if k == by_date[twelve_months]:
                del by_date[twelve_months]
            else:
                by_date[twelve_months] -= k
        if not by_date:
            del self._transfers[due]
            self._moves.pop(due, None)
        return taken


def _first(moved: list[tuple[date, int]], n: int) -> tuple[tuple[date, int], ...]:
    """Up to ``n`` plans from the front of ``moved``, taken out of it."""
    taken: list[tuple[date, int]] = []
    while n and moved:
        twelve_months, k = moved[0]
        if k <= n:
            taken.append(moved.pop(0))
            n -= k
        else:
            taken.append((twelve_months, n))
            moved[0] = (twelve_months, k - n)
            n = 0
    return tuple(taken)
