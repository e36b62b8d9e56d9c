"""The one interface every channel implements, and the errors that drive retry and fall-back.

``Channel.unavailable(ctx)`` says why a channel cannot reach this recipient (no openid, no consent,
no address, not configured) without calling anything; ``Channel.send(ctx)`` delivers or raises:

* ``TransientError``: worth retrying later on the same channel (network, system busy, minute quota);
* ``PermanentError``: this channel will never deliver this message, fall back to the next one;
* ``UnknownOutcome``: the request may or may not have been delivered and the API has no dedupe key,
  so it is not re-sent on this channel (contract §9).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field


class ChannelError(Exception):
    def __init__(self, reason: str, *, code: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.code = str(code)


class TransientError(ChannelError):
    def __init__(self, reason: str, *, code: str = "", retry_after: float | None = None):
        super().__init__(reason, code=code)
        self.retry_after = retry_after


class PermanentError(ChannelError):
    pass


class UnknownOutcome(ChannelError):
    pass


@dataclass
class SendResult:
    provider_id: str = ""


@dataclass
class DeliveryContext:
    """Everything a channel needs, resolved once per attempt."""

    message: object  # messaging.models.Message
    organization: object
    recipient_email: str = ""
    recipient_phone: str = ""
    wechat_binding: object | None = None  # WeChatBinding of the candidate, if any
    wecom_userid: str = ""
    variables: dict = field(default_factory=dict)
    session: DeliverySession | None = None

    def account(self, provider: str):
        """The organization's WeChat or WeCom account settings (read once per delivery session)."""
        if self.session is not None:
            return self.session.account(self.organization.pk, provider)
        from .wxclient import account_config

        return account_config(organization_id=self.organization.pk, provider=provider)

    @classmethod
    def variables_of(cls, message) -> dict:
        return json.loads(message.variables) if message.variables else {}


class DeliverySession:
    """What the messages delivered by one job share: each organization's account settings, read once,
    and one SMTP connection (opened on first use, reset after an error, closed by ``close()``).
    A job that delivers a batch of 25 reminders thus opens one SMTP connection, not 25."""

    def __init__(self):
        self._accounts: dict[tuple[int, str], object] = {}
        self._smtp = None

    def account(self, organization_id: int, provider: str):
        key = (organization_id, provider)
        if key not in self._accounts:
            from .wxclient import account_config

            self._accounts[key] = account_config(organization_id=organization_id, provider=provider)
        return self._accounts[key]

    def smtp(self):
        """The open e-mail connection of this session (Django's configured backend)."""
        if self._smtp is None:
            from django.core.mail import get_connection

            self._smtp = get_connection(fail_silently=False)
            self._smtp.open()
        return self._smtp

    def smtp_reset(self) -> None:
        """After an error the connection may be half-closed: drop it, the next send opens a new one."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail; it is dropped anyway
                pass

    def close(self) -> None:
        self.smtp_reset()

    def __enter__(self) -> DeliverySession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Channel:
    code: str = ""

    def unavailable(self, ctx: DeliveryContext) -> str | None:  # pragma: no cover - interface
        raise NotImplementedError

    def send(self, ctx: DeliveryContext) -> SendResult:  # pragma: no cover - interface
        raise NotImplementedError
