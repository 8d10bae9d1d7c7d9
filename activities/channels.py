"""Delivery channels beyond the outbox: SMTP and GOV.UK Notify.

Each channel sends one message to one recipient and says whether a failure is worth retrying
(a server down, a rate limit) or permanent (no address, a rejected template). Idempotency is
the caller's job (the outbox row per recipient and channel); the channels also pass the key
on (SMTP Message-ID, Notify ``reference``) so a receiving system can spot a repeat.
"""

from __future__ import annotations

import hashlib
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from activities.directory import Recipient


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Message:
    kind: str
    """reminder, escalation or digest: picks the Notify template."""
    subject: str
    body: str
    personalisation: dict[str, str] = field(default_factory=dict)


class Channel(Protocol):
    name: str

    def send(self, to: Recipient, message: Message, key: str) -> None: ...


def _address(to: Recipient, channel: str) -> str:
    if not to.email:
        raise DeliveryError(
            f"{channel}: no email address for {to.role} '{to.id}' in the directory",
            permanent=True,
        )
    return to.email


@dataclass
class SmtpChannel:
    host: str
    port: int = 25
    sender: str = "ehc-clock@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 20.0
    name: str = "smtp"

    def send(self, to: Recipient, message: Message, key: str) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = _address(to, self.name)
        email["Subject"] = message.subject
        # A stable Message-ID: a re-delivery after a crash is recognisable as the same mail.
        email["Message-ID"] = make_msgid(
            idstring=hashlib.sha256(key.encode()).hexdigest()[:24], domain="ehc-clock"
        )
        email["X-EHC-Key"] = key
        email.set_content(message.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(
                f"smtp: recipient refused ({error.recipients})", permanent=True
            ) from None
        except smtplib.SMTPResponseException as error:
            permanent = 500 <= error.smtp_code < 600
            raise DeliveryError(
                f"smtp: server said {error.smtp_code} {error.smtp_error!r}", permanent=permanent
            ) from None
        except (TimeoutError, OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"smtp: {error or type(error).__name__}", permanent=False) from None


@dataclass
class NotifyChannel:
    """GOV.UK Notify email, one template per kind (personalisation carries the fields)."""

    api_key: str
    templates: dict[str, str]
    base_url: str = "https://api.notifications.service.gov.uk"
    timeout: float = 20.0
    name: str = "notify"

    def __post_init__(self) -> None:
        self._client = NotificationsAPIClient(  # type: ignore[no-untyped-call]
            self.api_key, base_url=self.base_url, timeout=self.timeout
        )

    def send(self, to: Recipient, message: Message, key: str) -> None:
        template = self.templates.get(message.kind)
        if not template:
            raise DeliveryError(
                f"notify: no template id configured for {message.kind}", permanent=True
            )
        try:
            self._client.send_email_notification(  # type: ignore[no-untyped-call]
                email_address=_address(to, self.name),
                template_id=template,
                personalisation={"subject": message.subject, "body": message.body}
                | message.personalisation,
                reference=key[:1000],
            )
        except HTTPError as error:
            # 4xx (bad template, bad address, trial mode) will not get better; 429 and 5xx may.
            permanent = 400 <= error.status_code < 500 and error.status_code != 429
            raise DeliveryError(
                f"notify: {error.status_code} {error.message}", permanent=permanent
            ) from None
        except OSError as error:
            raise DeliveryError(f"notify: {error}", permanent=False) from None
