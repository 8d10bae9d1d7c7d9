"""Who receives what: the directory of people, teams and advice providers, and the ladder.

A council keeps one TOML file (``EHC_DIRECTORY_FILE``), documented in README ("Directory"):

    [people]                       # staff ids and mailboxes; never children
    cw101 = { email = "cw101@send.example.gov.uk", role = "caseworker", team = "north" }
    [teams.north]
    supervisor = "sup-north"
    manager = "send-manager"
    [providers."Educational Psychology Service"]
    contact = "eps-duty"
    service_manager = "eps-lead"
    [ladder.advice]                # optional: override the default ladder
    reminder = ["provider"]

Without a file, messages still go to the outbox, addressed by role and id. A person's
optional ``role`` (one of ``STAFF_ROLES``), ``team`` and ``name`` say what they may do in
the web service when their identity provider does not say it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statutory.alerts import DEFAULT_LADDER, ROLES, AlertKind, roles_for

#: The web service's roles a person may be given (``role = "..."`` in ``[people]``).
STAFF_ROLES = ("caseworker", "supervisor", "analyst", "admin")
#: Roles that work within one team, and so need ``team``.
TEAM_ROLES = ("caseworker", "supervisor")


class DirectoryError(ValueError):
    """The directory file cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Recipient:
    role: str
    id: str
    email: str | None


@dataclass(frozen=True, slots=True)
class StaffAccess:
    """What a person may do in the web service, from the directory."""

    role: str
    team: str | None = None
    name: str | None = None


@dataclass
class Directory:
    people: dict[str, str] = field(default_factory=dict)  # id -> email
    teams: dict[str, dict[str, str]] = field(default_factory=dict)
    providers: dict[str, dict[str, str]] = field(default_factory=dict)
    ladder: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: {k: dict(v) for k, v in DEFAULT_LADDER.items()}
    )
    staff: dict[str, StaffAccess] = field(default_factory=dict)  # id -> role and team

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
        staff: dict[str, StaffAccess] = {}
        for pid, entry in data.get("people", {}).items():
            if not isinstance(entry, dict) or not isinstance(entry.get("email"), str):
                raise DirectoryError(f"{where}: people.{pid} needs an email")
            people[pid] = entry["email"]
            if (access := _access(entry, f"{where}: people.{pid}")) is not None:
                staff[pid] = access
        directory = cls(
            people=people,
            staff=staff,
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

    def person_by_email(self, email: str) -> str | None:
        """The id of the person with this mailbox (any case), or None."""
        wanted = email.strip().lower()
        return next((pid for pid, mail in self.people.items() if mail.lower() == wanted), None)

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


def _access(entry: dict[str, Any], where: str) -> StaffAccess | None:
    """A person's ``role``, ``team`` and ``name``, if they have a role."""
    role, team, name = entry.get("role"), entry.get("team"), entry.get("name")
    if role is None:
        return None
    if role not in STAFF_ROLES:
        raise DirectoryError(f"{where}: role must be one of {', '.join(STAFF_ROLES)}")
    if team is not None and not isinstance(team, str):
        raise DirectoryError(f"{where}: team must be a team's name")
    if role in TEAM_ROLES and not team:
        raise DirectoryError(f"{where}: a {role} needs a team")
    if name is not None and not isinstance(name, str):
        raise DirectoryError(f"{where}: name must be text")
    return StaffAccess(role=role, team=team, name=name)
