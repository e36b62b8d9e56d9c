"""E-mail: a text part, an HTML part and, for interviews, the calendar invitation (.ics)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .base import Channel, PermanentError, SendResult, TransientError


class EmailChannel(Channel):
    code = "email"

    def unavailable(self, ctx):
        return None if ctx.recipient_email else "no_email_address"

    def send(self, ctx):
        message = ctx.message
        with translation.override(message.language):
            html = render_to_string("messaging/email.html", {"message": message, "variables": ctx.variables,
                                                             "organization": ctx.organization})
        session = ctx.session
        email = EmailMultiAlternatives(subject=message.subject.replace("\n", " ")[:200], body=message.body,
                                       from_email=settings.DEFAULT_FROM_EMAIL, to=[ctx.recipient_email],
                                       headers={"X-HireLens-Message": f"{message.organization_id}-{message.pk}"})
        email.attach_alternative(html, "text/html")
        if message.ics:
            email.attach("invite.ics", message.ics, "text/calendar; method=REQUEST; charset=utf-8")
        try:
            if session is not None:
                email.connection = session.smtp()  # opening it can fail too: a transient error
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            # the server refused this address; the connection itself is fine and stays open
            raise PermanentError(f"recipient refused: {exc}"[:300], code="smtp_rcpt") from None
        except (smtplib.SMTPException, OSError) as exc:
            if session is not None:
                session.smtp_reset()
            raise TransientError(f"smtp: {exc}"[:300], code="smtp") from None
        return SendResult()
