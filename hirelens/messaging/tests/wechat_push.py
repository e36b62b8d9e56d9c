"""Builds the pushes WeChat's servers send to our callback URL (signed, optionally encrypted)."""

from __future__ import annotations

import secrets
import time

from hirelens.messaging.wxcrypto import WeChatCrypto, cdata, sha1_signature


def text_xml(*, openid: str, content: str, msg_id: int, to_user: str = "gh_3f0e1d2c3b4a") -> str:
    return (f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(openid)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{cdata(content)}</Content><MsgId>{msg_id}</MsgId></xml>")


def event_xml(*, openid: str, event: str, extra: str = "", create_time: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_3f0e1d2c3b4a]]></ToUserName><FromUserName>{cdata(openid)}</FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event>{cdata(event)}</Event>{extra}</xml>")


def signed_push(xml: str, *, token: str, aes_key: str | None, app_id: str, timestamp: int | None = None,
                nonce: str | None = None) -> tuple[dict, bytes]:
    """(query parameters, body) as WeChat would send them; safe mode when ``aes_key`` is given."""
    timestamp = str(timestamp or int(time.time()))
    nonce = nonce or str(secrets.randbelow(10**10))
    params = {"timestamp": timestamp, "nonce": nonce, "signature": sha1_signature(token, timestamp, nonce),
              "openid": "ignored"}
    if aes_key is None:
        return params, xml.encode("utf-8")
    encrypted = WeChatCrypto(token, aes_key, app_id).encrypt(xml)
    params.update(encrypt_type="aes", msg_signature=sha1_signature(token, timestamp, nonce, encrypted))
    body = f"<xml><ToUserName><![CDATA[gh_3f0e1d2c3b4a]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    return params, body.encode("utf-8")
