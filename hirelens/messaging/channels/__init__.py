"""Channels behind one interface (see base.py) and the registry the delivery service reads."""

from __future__ import annotations

from .base import (
    Channel,
    ChannelError,
    DeliveryContext,
    DeliverySession,
    PermanentError,
    SendResult,
    TransientError,
    UnknownOutcome,
)


def registry() -> dict[str, Channel]:
    from .email import EmailChannel
    from .sms import SmsChannel
    from .wechat import WeChatCustomChannel, WeChatSubscribeChannel, WeChatTemplateChannel
    from .wecom import WeComChannel

    channels = [WeChatTemplateChannel(), WeChatSubscribeChannel(), WeChatCustomChannel(), WeComChannel(), EmailChannel(),
                SmsChannel()]
    return {channel.code: channel for channel in channels}


__all__ = ["Channel", "ChannelError", "DeliveryContext", "DeliverySession", "PermanentError", "SendResult", "TransientError", "UnknownOutcome",
           "registry"]
