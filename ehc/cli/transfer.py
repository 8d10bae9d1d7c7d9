"""A plan's next phase transfer as typed on the command line (reg 18).

``ehc review start``, ``ehc review record transfer-set`` and ``ehc deadlines review`` take the
same three options; this reads them the same way for all three.
"""

from __future__ import annotations

from pydantic import ValidationError

from ehc.cli.common import fail, one_line, parse_date
from statutory import review as rules


def phase_transfer(
    kind: str | None, year: int | None, move_date: str | None
) -> rules.PhaseTransfer | None:
    """``--transfer KIND --transfer-year N --move-date D``: none when ``--transfer`` is not
    given. A move between post-16 institutions (reg 18(2)) is dated by its move; the others
    by the year of their 15 February or 31 March (reg 18(1))."""
    move = parse_date(move_date, "--move-date") if move_date else None
    if kind is None:
        if year is not None or move is not None:
            fail("--transfer-year and --move-date need --transfer")
        return None
    try:
        transfer_kind = rules.TransferKind(kind)
    except ValueError:
        fail(f"--transfer: unknown kind '{kind}' (known: {', '.join(rules.TransferKind)})")
    if transfer_kind is rules.TransferKind.POST16_POST16:
        if move is None:
            fail("--transfer post16-post16 needs --move-date (finalised 5 months before the move)")
        year = year or move.year
    elif year is None:
        fail(f"--transfer {kind} needs --transfer-year (the year of its 15 Feb or 31 Mar)")
    try:
        return rules.PhaseTransfer(kind=transfer_kind, year=year, move_date=move)
    except ValidationError as error:
        fail(f"--transfer: {one_line(error)}")
