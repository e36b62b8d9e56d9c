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

    @classmethod
    def variables_of(cls, message) -> dict:
        return json.loads(message.variables) if message.variables else {}


class Channel:
    code: str = ""

    def unavailable(self, ctx: DeliveryContext) -> str | None:  # pragma: no cover - interface
        raise NotImplementedError

    def send(self, ctx: DeliveryContext) -> SendResult:  # pragma: no cover - interface
        raise NotImplementedError
