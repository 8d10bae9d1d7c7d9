"""Delivery channels beyond the outbox: SMTP and GOV.UK Notify.

Each channel sends one message to one recipient and says whether a failure is worth retrying
(a server down, a rate limit) or permanent (no address, a rejected template). Idempotency is
the caller's job (the outbox row per recipient and channel, claimed before sending); the
channels also pass the key on so a receiving system can spot a repeat: SMTP mail carries a
``Message-ID`` made from the key (the same on every attempt, from every worker), Notify the
key as its ``reference``.
"""

from __future__ import annotations

import hashlib
import smtplib
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol

from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from activities.directory import Recipient

#: RFC 5321 section 4.5.3.2.6: wait up to 10 minutes for the reply to the end of DATA.
SMTP_TIMEOUT = 600.0
MESSAGE_ID_DOMAIN = "ehc-clock.invalid"


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
    timeout: float
    """The longest one send may take: a claim on a message outlasts it."""

    def send(self, to: Recipient, message: Message, key: str) -> str | None:
        """Send; returns what the channel knows the message by (Message-ID, Notify id)."""
        ...


def message_id(key: str, domain: str = MESSAGE_ID_DOMAIN) -> str:
    """The Message-ID of the mail for ``key``: every attempt and every worker makes the same."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _address(to: Recipient, channel: str) -> str:
    if not to.email:
        raise DeliveryError(
            f"{channel}: no email address for {to.role} '{to.id}' in the directory",
            permanent=True,
        )
    return to.email


class _DeadlineSMTP(smtplib.SMTP):
    """An SMTP session with one deadline for the whole message, not one per reply, so a send
    never outlasts the claim on its outbox row."""

    def __init__(self, host: str, port: int, deadline: float) -> None:
        self._deadline = deadline
        super().__init__(host, port, timeout=self._left())

    def _left(self) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no reply from the SMTP server in time")
        return left

    def send(self, s: Any) -> None:
        if self.sock is not None:
            self.sock.settimeout(self._left())
        super().send(s)

    def getreply(self) -> tuple[int, bytes]:
        if self.sock is not None:
            self.sock.settimeout(self._left())
        return super().getreply()


def _goodbye(smtp: smtplib.SMTP) -> None:
    """QUIT and close; once the message is accepted, nothing said after it is a failure."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


@dataclass
class SmtpChannel:
    host: str
    port: int = 25
    sender: str = "ehc-clock@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = SMTP_TIMEOUT
    """Seconds from connecting to the server's reply to the end of DATA."""
    message_id_domain: str = MESSAGE_ID_DOMAIN
    name: str = "smtp"

    def send(self, to: Recipient, message: Message, key: str) -> str:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = _address(to, self.name)
        email["Subject"] = message.subject
        # Derived from the key: a repeat after a crash is recognisable as the same mail.
        email["Message-ID"] = message_id(key, self.message_id_domain)
        email["X-EHC-Key"] = key
        email.set_content(message.body)
        try:
            smtp = _DeadlineSMTP(self.host, self.port, time.monotonic() + self.timeout)
            try:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(email)
            finally:
                _goodbye(smtp)
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
        return str(email["Message-ID"])


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

    def send(self, to: Recipient, message: Message, key: str) -> str | None:
        template = self.templates.get(message.kind)
        if not template:
            raise DeliveryError(
                f"notify: no template id configured for {message.kind}", permanent=True
            )
        try:
            sent = self._client.send_email_notification(  # type: ignore[no-untyped-call]
                email_address=_address(to, self.name),
                template_id=template,
                personalisation={"subject": message.subject, "body": message.body}
                | message.personalisation,
                # Notify does not drop repeats itself; the key lets its logs be matched.
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
        found = sent.get("id") if isinstance(sent, dict) else None
        return str(found) if found else None
