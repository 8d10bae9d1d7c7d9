"""One request for professional advice, as its own clock (reg 6, 8).

Advice must be provided within 6 weeks of the day the adviser received the request (reg 8(1)),
unless a reg 8(2) exception applies: (a) exceptional personal circumstances, (b) absence from
the area for at least 4 continuous weeks, (c) failure to keep an appointment. Advice for an
annual review is due when it must be circulated: 2 weeks before the meeting (reg 20(4)).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from statutory import exceptions as exc
from statutory import processes as P
from statutory.dates import weeks_after
from statutory.steps import DEFAULT_AMBER_DAYS, StepStatus, settle

if TYPE_CHECKING:
    from statutory.assessment import AdviceRequest

ADVICE_WEEKS = 6  # reg 8(1)


class AdviceRequestState(BaseModel):
    """What the advice clock knows; the parent case sends it whenever it changes."""

    model_config = ConfigDict(frozen=True)

    advice_id: int
    advice_type: str
    provider: str
    adviser_received: date
    due: date | None = None
    """A due date set by the parent (review advice: the circulation date); default reg 8(1)."""
    regulation: str = "reg 8(1)"
    """Kept for the histories of workflows started with it; the declaration decides."""
    received_on: date | None = None
    exceptions: tuple[tuple[exc.Reason, date, date], ...] = ()
    closed: bool = False
    """The case no longer needs this advice (it closed, or the cycle moved on)."""
    caseworker: str | None = None
    """The case's caseworker now (a reassignment reaches the advice clock too)."""
    team: str | None = None

    @classmethod
    def of_request(
        cls,
        advice: AdviceRequest,
        *,
        exceptions: Iterable[tuple[exc.Reason, date, date]],
        closed: bool,
        caseworker: str,
        team: str,
    ) -> AdviceRequestState:
        """An assessment's or re-assessment's request for advice, as its clock needs it."""
        return cls(
            advice_id=advice.id,
            advice_type=advice.advice_type.value,
            provider=advice.provider,
            adviser_received=advice.adviser_received,
            received_on=advice.received_on,
            exceptions=tuple(exceptions),
            closed=closed,
            caseworker=caseworker,
            team=team,
        )

    def statutory_due(self) -> date:
        return self.due or weeks_after(self.adviser_received, ADVICE_WEEKS)

    def step(self, today: date, amber_days: int = DEFAULT_AMBER_DAYS) -> StepStatus:
        due = self.statutory_due()
        periods = [
            exc.Period(start, end)
            for reason, start, end in self.exceptions
            if reason in exc.ADVICE_REASONS
        ]
        target = exc.operational_target(due, self.adviser_received, periods)
        # Review advice is due when it must be circulated (reg 20(4)); assessment advice by
        # reg 8(1). An advice workflow's clock is one step, named ``advice``.
        defn = P.REVIEW_ADVICE if self.due is not None else P.ASSESSMENT_ADVICE
        return settle(
            step=defn.id.value,
            label=f"{self.advice_type.replace('-', ' ').capitalize()} advice from {self.provider}",
            regulation=defn.regulation,
            kind=defn.kind,
            due=due,
            target=target,
            exception_applies=target != due,
            completed_on=self.received_on,
            applicable=not (self.closed and self.received_on is None),
            today=today,
            amber_days=amber_days,
        )

    @property
    def finished(self) -> bool:
        return self.received_on is not None or self.closed
