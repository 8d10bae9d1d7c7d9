"""A list as a CSV download: dates ISO ``YYYY-MM-DD``, as ``ehc`` writes them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum

from fastapi.responses import Response

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """One cell: a date ISO, nothing empty, an enum's value; text that a spreadsheet would
    run as a formula gets a leading apostrophe (numbers are left alone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool | int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def csv_response(filename: str, header: list[str], rows: Iterable[Sequence[object]]) -> Response:
    """``rows`` under ``header`` as ``filename`` (a download, not shown in the browser)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    name = _SAFE_NAME.sub("-", filename).strip("-") or "list.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
