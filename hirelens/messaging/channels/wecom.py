"""WeCom (企业微信) application messages to staff (§8): text cards with a link, duplicate check on."""

from __future__ import annotations

from .base import Channel, PermanentError, SendResult
from .wxclient import WeixinClient


def _bytes_limit(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", "ignore") + "…"


class WeComChannel(Channel):
    code = "wecom"

    def unavailable(self, ctx):
        config = ctx.account("wecom")
        if not config.usable or not config.agent_id:
            return "wecom_not_configured"
        if not ctx.wecom_userid:
            return "no_wecom_account"
        return None

    def send(self, ctx):
        config = ctx.account("wecom")
        link = ctx.variables.get("link")
        payload = {"touser": ctx.wecom_userid, "agentid": int(config.agent_id), "safe": 0,
                   "enable_duplicate_check": 1, "duplicate_check_interval": 1800}
        if link:
            payload.update(msgtype="textcard", textcard={"title": _bytes_limit(ctx.message.subject, 128),
                                                         "description": _bytes_limit(ctx.message.body, 512), "url": link})
        else:
            payload.update(msgtype="text", text={"content": _bytes_limit(f"{ctx.message.subject}\n{ctx.message.body}", 2048)})
        # enable_duplicate_check makes a re-send after a timeout safe (dedupe=True)
        data = WeixinClient(config).post("/cgi-bin/message/send", payload, dedupe=True)
        invalid = {u.lower() for u in str(data.get("invaliduser") or "").split("|") if u}
        if ctx.wecom_userid.lower() in invalid:
            raise PermanentError("invalid WeCom user", code="invaliduser")
        return SendResult(provider_id=str(data.get("msgid", "")))
