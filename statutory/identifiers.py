"""Identifiers allowed in workflow ids, search attributes and logs.

Data protection: a case is known by the council's case reference, never a child's name, and a
caseworker by a staff user id. These patterns keep names (spaces, apostrophes) out.

A case reference is 3 to 40 letters, digits and hyphens (``EHC-2026-0147``, ``12345``); a
slash is read as a hyphen (``SEN/12345`` is ``SEN-12345``) and letters as capitals. A
reference with two or more parts that are words of three or more letters, not counting words
councils put in references (``EHC``, ``SEN``...), looks like a name (``JANE-SMITH``,
``jane-smith-2015``) and is refused. A refused value is never repeated: it may be a name.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from statutory.errors import RuleViolation

CASE_REF_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,39}$"
STAFF_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,39}$"
TEAM_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"

#: Words councils use in case references, which do not make a reference look like a name.
REFERENCE_WORDS = frozenset(
    {"EHC", "EHCP", "EHCNA", "SEN", "SEND", "CASE", "REF", "REQ", "PLAN", "REV", "REVIEW"}
)
_WORD = re.compile(r"[A-Z]{3,}")
_CASE_REF = re.compile(CASE_REF_PATTERN)
CASE_REF_EXAMPLE = "EHC-2026-0147"


def looks_like_a_name(case_ref: str) -> bool:
    """Two or more hyphen-separated parts are words of 3+ letters that councils do not use
    in references: ``JANE-SMITH``, ``JANE-SMITH-2015``; not ``EHC-2026-0147``."""
    words = [
        part
        for part in case_ref.upper().split("-")
        if _WORD.fullmatch(part) and part not in REFERENCE_WORDS
    ]
    return len(words) >= 2


def _case_ref(value: str) -> str:
    # The value is not repeated: a wrong one is often a person's name.
    if not _CASE_REF.fullmatch(value):
        raise ValueError(
            f"not a valid case reference (3 to 40 letters, digits and hyphens, e.g. "
            f"{CASE_REF_EXAMPLE})"
        )
    if looks_like_a_name(value):
        raise ValueError(
            "not a valid case reference: it reads like a person's name (two or more words); "
            f"use the council's case reference, e.g. {CASE_REF_EXAMPLE}"
        )
    return value


def _slash_as_hyphen(value: object) -> object:
    return value.replace("/", "-") if isinstance(value, str) else value


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
    BeforeValidator(_slash_as_hyphen),
    StringConstraints(strip_whitespace=True, to_upper=True),
    AfterValidator(_case_ref),
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

_CASE_REFS: TypeAdapter[str] = TypeAdapter(CaseRef)


def case_ref(value: str) -> str:
    """``value`` as a case reference (capitals, ``/`` as ``-``), or ``RuleViolation`` saying
    why not, in one sentence that does not repeat it."""
    try:
        return _CASE_REFS.validate_python(value)
    except ValidationError as error:
        raise RuleViolation(str(error.errors()[0]["msg"]).removeprefix("Value error, ")) from None
