"""Identifiers allowed in workflow ids, search attributes and logs.

Data protection: a case is known by the council's case reference, never a child's name, and a
caseworker by a staff user id. These patterns keep names (spaces, apostrophes) out.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

CASE_REF_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,39}$"
STAFF_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,39}$"
TEAM_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"


def _matches(pattern: str, what: str, example: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        # The value is not repeated: a wrong one is often a person's name.
        if not compiled.fullmatch(value):
            raise ValueError(f"not a valid {what} (e.g. {example})")
        return value

    return AfterValidator(check)


CaseRef = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True),
    _matches(CASE_REF_PATTERN, "case reference", "EHC-2026-0147"),
]
StaffId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True),
    _matches(STAFF_ID_PATTERN, "staff id", "jbloggs or cw017"),
]
TeamId = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    _matches(TEAM_PATTERN, "team id", "north or 0-5s"),
]
