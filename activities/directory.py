"""Who receives what: the directory of people, teams and advice providers, and the ladder.

A council keeps one TOML file (``EHC_DIRECTORY_FILE``), documented in README ("Directory"):

    [people]                       # staff ids and mailboxes; never children
    cw101 = { email = "cw101@send.example.gov.uk" }
    [teams.north]
    supervisor = "sup-north"
    manager = "send-manager"
    [providers."Educational Psychology Service"]
    contact = "eps-duty"
    service_manager = "eps-lead"
    [ladder.advice]                # optional: override the default ladder
    reminder = ["provider"]

Without a file, messages still go to the outbox, addressed by role and id.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statutory.alerts import DEFAULT_LADDER, ROLES, AlertKind, roles_for


class DirectoryError(ValueError):
    """The directory file cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Recipient:
    role: str
    id: str
    email: str | None


@dataclass
class Directory:
    people: dict[str, str] = field(default_factory=dict)  # id -> email
    teams: dict[str, dict[str, str]] = field(default_factory=dict)
    providers: dict[str, dict[str, str]] = field(default_factory=dict)
    ladder: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: {k: dict(v) for k, v in DEFAULT_LADDER.items()}
    )

    @classmethod
    def load(cls, path: Path | None) -> Directory:
        if path is None:
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DirectoryError(f"{path}: no such directory file") from None
        except tomllib.TOMLDecodeError as error:
            raise DirectoryError(f"{path}: not valid TOML ({error})") from None
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "directory") -> Directory:
        unknown = set(data) - {"people", "teams", "providers", "ladder"}
        if unknown:
            raise DirectoryError(f"{where}: unknown section(s) {', '.join(sorted(unknown))}")
        people: dict[str, str] = {}
        for pid, entry in data.get("people", {}).items():
            if not isinstance(entry, dict) or not isinstance(entry.get("email"), str):
                raise DirectoryError(f"{where}: people.{pid} needs an email")
            people[pid] = entry["email"]
        directory = cls(
            people=people,
            teams={k: dict(v) for k, v in data.get("teams", {}).items()},
            providers={k: dict(v) for k, v in data.get("providers", {}).items()},
        )
        for process, rungs in data.get("ladder", {}).items():
            for rung, roles in rungs.items():
                bad = [r for r in roles if r not in ROLES]
                if bad:
                    raise DirectoryError(
                        f"{where}: ladder.{process}.{rung}: unknown role(s) {', '.join(bad)} "
                        f"(roles: {', '.join(ROLES)})"
                    )
                directory.ladder.setdefault(process, {})[rung] = list(roles)
        for team, entry in directory.teams.items():
            for role, pid in entry.items():
                if pid not in people:
                    raise DirectoryError(f"{where}: teams.{team}.{role} = {pid!r} is not in people")
        for name, entry in directory.providers.items():
            for role, pid in entry.items():
                if pid not in people:
                    raise DirectoryError(
                        f"{where}: providers.{name!r}.{role} = {pid!r} is not in people"
                    )
        return directory

    def roles_for(self, process: str, kind: AlertKind, level: int) -> list[str]:
        """The ladder's rung for an alert (``statutory.alerts.roles_for``)."""
        return roles_for(self.ladder, process, kind, level)

    def resolve(
        self, roles: list[str], *, caseworker: str, team: str, provider: str | None
    ) -> list[Recipient]:
        """Recipients for roles; an id with no address is kept (the outbox still holds it)."""
        out: dict[str, Recipient] = {}
        team_entry = self.teams.get(team, {})
        provider_entry = self.providers.get(provider or "", {})
        for role in roles:
            match role:
                case "caseworker":
                    pid = caseworker
                case "supervisor" | "manager":
                    pid = team_entry.get(role, f"{role}:{team}")
                case "provider":
                    if provider is None:
                        continue
                    pid = provider_entry.get("contact", f"provider:{provider}")
                case "service-manager":
                    if provider is None:
                        continue
                    pid = provider_entry.get("service_manager", f"service-manager:{provider}")
                case _:
                    continue
            out.setdefault(pid, Recipient(role, pid, self.people.get(pid)))
        return list(out.values())
