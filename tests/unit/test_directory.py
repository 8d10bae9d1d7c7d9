"""The directory file and the escalation ladder."""

from __future__ import annotations

from pathlib import Path

import pytest

from activities.directory import Directory, DirectoryError
from statutory.alerts import AlertKind

SAMPLE = Path(__file__).parents[2] / "samples" / "directory.toml"


def test_the_sample_directory_loads_and_resolves_the_ladder() -> None:
    d = Directory.load(SAMPLE)
    people = d.resolve(
        d.roles_for("advice", AlertKind.ESCALATION, 1),
        caseworker="cw101",
        team="north",
        provider="Educational Psychology Service",
    )
    assert [(p.role, p.id, p.email) for p in people] == [
        ("service-manager", "eps-lead", "principal-ep@eps.example.gov.uk"),
        ("supervisor", "sup-north", "send-north-supervisor@send.example.gov.uk"),
    ]


@pytest.mark.parametrize(
    ("process", "kind", "level", "roles"),
    [
        ("assessment", AlertKind.REMINDER, 14, ["caseworker"]),
        ("assessment", AlertKind.ESCALATION, 1, ["caseworker", "supervisor"]),
        ("assessment", AlertKind.ESCALATION, 2, ["supervisor", "manager"]),
        ("assessment", AlertKind.ESCALATION, 5, ["supervisor", "manager"]),  # top rung
        ("advice", AlertKind.REMINDER, 7, ["provider", "caseworker"]),
        ("unknown-process", AlertKind.REMINDER, 3, ["caseworker"]),
    ],
)
def test_default_ladder(process: str, kind: AlertKind, level: int, roles: list[str]) -> None:
    assert Directory().roles_for(process, kind, level) == roles


def test_unknown_people_and_addresses_fall_back_to_role_ids() -> None:
    people = Directory().resolve(
        ["caseworker", "supervisor", "provider"], caseworker="cw9", team="east", provider=None
    )
    assert [(p.id, p.email) for p in people] == [("cw9", None), ("supervisor:east", None)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[people]\ncw1 = { mail = "x" }\n', "people.cw1 needs an email"),
        (
            '[teams.north]\nsupervisor = "nobody"\n',
            "teams.north.supervisor = 'nobody' is not in people",
        ),
        ('[ladder.assessment]\nreminder = ["boss"]\n', "unknown role(s) boss"),
        ("[staff]\n", "unknown section(s) staff"),
        ("[people\n", "not valid TOML"),
    ],
)
def test_a_bad_directory_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "directory.toml"
    path.write_text(text)
    with pytest.raises(DirectoryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Directory.load(path)
