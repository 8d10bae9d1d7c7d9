"""School and early-years closures: exceptions found when the educational advice is requested.

SEND Regulations 2014, reg 5(4)(a)-(b), 10(4)(a)-(b), 13(3)(a)-(b): the LA need not meet its
limit where it requested advice from the head teacher of a school (or the principal of a
post-16 institution), or from an early-years provider, during a period beginning one week
before any date on which that setting was closed for a continuous period of not less than 4
weeks and ending one week before the date on which it re-opens
(``statutory.exceptions.closure_window``).

When a case is agreed for assessment its educational advice is requested that day (reg
6(1)(b)). The case is drawn to have its advice sought from a school (``[exceptions.
school-closure] share``), from an early-years provider (``[exceptions.early-years-closure]
share``) or from neither; if the day falls in the window of one of its kind's closures, the
case has that exception over the closure (``SimCase.add_closure``), and the setting replies
only once it has re-opened: the other advice's lead time counts from the day it re-opens
instead of the day of the request.

Assumed: every setting of a kind shares the closure dates the scenario states (community
schools follow the council's term dates; academies may set their own).

Each case's setting is one number of its own (``scenarios.draws.case_uniform``: the scenario's
seed and the case's id), drawn only when a scenario states closures: a scenario without them
draws what it drew before they existed, and options compared on one seed put each case with
the same setting, whenever their capacity lets it be agreed for assessment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from scenarios.casefile import SimCase
from scenarios.draws import case_uniform
from scenarios.model import ClosureRate
from statutory import assessment as rules
from statutory import exceptions as exc


@dataclass(frozen=True, slots=True)
class _Closure:
    """One closure of one kind of setting, with the days its exception needs the request in."""

    span: rules.ExceptionSpan
    window: exc.Period
    reopens: date

    @classmethod
    def of(cls, reason: exc.Reason, period: exc.Period) -> _Closure:
        return cls(
            rules.ExceptionSpan(reason, period),
            exc.closure_window(period),
            period.end + timedelta(days=1),
        )


class Closures:
    """The closures a scenario states, and the draw of each case's setting."""

    def __init__(self, rates: dict[exc.Reason, ClosureRate], seed: int) -> None:
        self.seed = seed
        self.kinds: list[tuple[float, list[_Closure]]] = []
        """For each kind of setting: the share of cases up to and including it (one draw
        places a case in at most one kind), and its closures in date order."""
        upto = 0.0
        for reason, rate in sorted(rates.items()):
            upto += rate.share
            self.kinds.append((upto, [_Closure.of(reason, c.period) for c in rate.closures]))

    def at_request(self, case: SimCase, on: date) -> date | None:
        """Draw where the educational advice of ``case``, requested on ``on``, is sought; if a
        closure of that setting has ``on`` in its window, give the case the exception and
        return the day the setting re-opens (None: no closure applies)."""
        u = case_uniform(b"closures", self.seed, case.id)
        for upto, closures in self.kinds:
            if u < upto:
                for closure in closures:
                    if closure.window.start <= on <= closure.window.end:
                        case.add_closure(closure.span)
                        return closure.reopens
                return None
        return None
