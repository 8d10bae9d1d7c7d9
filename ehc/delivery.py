"""Build the directory and delivery channels the settings ask for."""

from __future__ import annotations

from activities.channels import Channel, NotifyChannel, SmtpChannel
from activities.directory import Directory
from ehc.settings import Settings


def directory(settings: Settings) -> Directory:
    return Directory.load(settings.directory_file)


def channels(settings: Settings) -> list[Channel]:
    """SMTP when ``EHC_SMTP_HOST`` is set, GOV.UK Notify when ``EHC_NOTIFY_API_KEY`` is."""
    out: list[Channel] = []
    if settings.smtp_host:
        out.append(
            SmtpChannel(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.smtp_from,
                username=settings.smtp_username,
                password=settings.smtp_password,
                starttls=settings.smtp_starttls,
                timeout=settings.smtp_timeout,
                message_id_domain=settings.message_id_domain,
            )
        )
    if settings.notify_api_key:
        templates = {
            kind: template
            for kind, template in {
                "reminder": settings.notify_template_reminder,
                "escalation": settings.notify_template_escalation,
                "digest": settings.notify_template_digest,
            }.items()
            if template
        }
        out.append(
            NotifyChannel(
                api_key=settings.notify_api_key,
                templates=templates,
                base_url=settings.notify_base_url,
            )
        )
    return out
