"""WeChat server callbacks (消息推送, contract §7) for one organization's official account.

Order of checks: the account has a token; the timestamp is within ``MESSAGING_CALLBACK_MAX_SKEW``; the
signature matches; the nonce was not used before (replay); in safe mode the body decrypts with the
organization's key for its own AppID; the XML is well formed. Only then is anything written. A push
WeChat repeats (no answer within 5 s) is recognised by MsgId or FromUserName+CreateTime and acknowledged
without doing the work twice.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.core.crypto import blind_index
from hirelens.core.tokens import new_hex_token, token_hash
from hirelens.messaging.channels.wxclient import WeixinClient, account_config
from hirelens.messaging.models import (
    BindingToken,
    CallbackNonce,
    DeliveryAttempt,
    InboundEvent,
    SubscribeCredit,
    WeChatBinding,
)
from hirelens.messaging.wxcrypto import CallbackError, WeChatCrypto, check_signature, parse_xml, text_reply

from .helpdesk import ticket_receive
from .policy import policy_for

logger = logging.getLogger(__name__)

ACK = "success"


def _check_fresh(scope: str, timestamp: str, nonce: str) -> None:
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        raise CallbackError("bad timestamp") from None
    if abs(time.time() - ts) > settings.MESSAGING_CALLBACK_MAX_SKEW:
        raise CallbackError("timestamp outside the accepted window")
    if not nonce or len(nonce) > 128:
        raise CallbackError("bad nonce")
    try:
        with transaction.atomic():
            CallbackNonce.objects.create(scope=scope, nonce=nonce, timestamp=ts)
    except IntegrityError:
        raise CallbackError("replayed nonce") from None
    cutoff = timezone.now() - timedelta(seconds=2 * settings.MESSAGING_CALLBACK_MAX_SKEW)
    CallbackNonce.objects.filter(created_at__lt=cutoff).delete()


def _config(organization):
    config = account_config(organization_id=organization.pk, provider="wechat")
    if not config.token:
        raise CallbackError("the organization has no WeChat callback token")
    return config


def wechat_callback_verify(*, organization, params) -> str:
    """GET: the URL check WeChat runs when the callback is configured. Returns ``echostr``."""
    config = _config(organization)
    check_signature(config.token, params.get("signature", ""), params.get("timestamp", ""), params.get("nonce", ""))
    _check_fresh(f"wechat:{organization.pk}", params.get("timestamp", ""), params.get("nonce", ""))
    return params.get("echostr", "")


def wechat_callback_receive(*, organization, params, body: bytes) -> str:
    """POST: verify, decrypt, dedupe, handle. Returns the response body (a passive reply or "success")."""
    config = _config(organization)
    timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
    check_signature(config.token, params.get("signature", ""), timestamp, nonce)
    safe = params.get("encrypt_type", "raw") == "aes"
    crypto = None
    if config.encoding_aes_key:
        crypto = WeChatCrypto(config.token, config.encoding_aes_key, config.app_id)
    if safe:
        if crypto is None:
            raise CallbackError("encrypted push but no EncodingAESKey configured")
        plain = crypto.decrypt_message(body, msg_signature=params.get("msg_signature", ""), timestamp=timestamp, nonce=nonce)
    else:
        if crypto is not None:
            raise CallbackError("plaintext push refused: this account is in safe mode")
        plain = body
    data = parse_xml(plain)
    _check_fresh(f"wechat:{organization.pk}", timestamp, nonce)
    reply = handle_wechat_event(organization=organization, data=data)
    if not reply:
        return ACK
    xml = text_reply(to_user=data.get("FromUserName", ""), from_user=data.get("ToUserName", ""), content=reply)
    if safe:
        return crypto.encrypt_message(xml, nonce=secrets.token_hex(8))
    return xml


def _binding(organization, openid: str) -> WeChatBinding:
    index = blind_index(openid, kind="text")
    binding = WeChatBinding.objects.filter(organization=organization, openid_index=index).first()
    if binding is None:
        try:
            with transaction.atomic():
                binding = WeChatBinding.objects.create(organization=organization, openid=openid)
        except IntegrityError:
            binding = WeChatBinding.objects.get(organization=organization, openid_index=index)
    return binding


def _bind_scene(organization, binding: WeChatBinding, scene: str) -> bool:
    """A parametric QR code carries ``bind:<token>``: attach the openid to that candidate (idempotent)."""
    if not scene.startswith("bind:"):
        return False
    now = timezone.now()
    token = BindingToken.objects.filter(organization=organization, token_hash=token_hash(scene[5:]), expires_at__gt=now).first()
    if token is None:
        return False
    if token.used_at is None:
        BindingToken.objects.filter(pk=token.pk, used_at__isnull=True).update(used_at=now)
    if binding.candidate_id != token.candidate_id:
        binding.candidate_id = token.candidate_id
        binding.save(update_fields=["candidate", "updated_at"])
    return True


def _keyword_reply(organization, content: str) -> str | None:
    text = content.strip().lower()
    for rule in policy_for(organization.pk).keyword_replies or []:
        keyword = str(rule.get("keyword", "")).strip().lower()
        if keyword and keyword in text:
            return str(rule.get("reply", ""))
    return None


@transaction.atomic
def handle_wechat_event(*, organization, data: dict) -> str | None:
    """Apply one decrypted push. Returns the text of a passive reply, or None to just acknowledge."""
    openid = data.get("FromUserName", "")
    if not openid:
        raise CallbackError("no FromUserName")
    msg_type = data.get("MsgType", "")
    event = data.get("Event", "")
    dedupe = f"msg:{data['MsgId']}" if data.get("MsgId") else f"evt:{openid}:{data.get('CreateTime', '')}:{event}"
    try:
        with transaction.atomic():
            InboundEvent.objects.create(organization=organization, dedupe_key=dedupe[:128])
    except IntegrityError:
        return None  # WeChat retried a push we already handled
    binding = _binding(organization, openid)
    now = timezone.now()
    if msg_type == "event":
        if event == "subscribe":
            binding.followed = True
            binding.last_inbound_at = now  # a follow opens a short customer-service window too
            binding.save(update_fields=["followed", "last_inbound_at", "updated_at"])
            key = data.get("EventKey", "")
            if key.startswith("qrscene_") and _bind_scene(organization, binding, key[len("qrscene_"):]):
                return _("绑定成功：面试通知将通过本公众号发送给您。")
            return _("欢迎关注！面试通知和提醒会发送到这里；遇到问题可直接留言。")
        if event == "unsubscribe":
            binding.followed = False
            binding.save(update_fields=["followed", "updated_at"])
            return None
        if event == "SCAN":
            if _bind_scene(organization, binding, data.get("EventKey", "")):
                return _("绑定成功：面试通知将通过本公众号发送给您。")
            return None
        if event == "TEMPLATESENDJOBFINISH":
            status = data.get("Status", "")
            if status and status != "success":
                DeliveryAttempt.objects.filter(organization=organization, channel="wechat_template",
                                               provider_id=data.get("MsgID", "")).update(error=f"delivery: {status}"[:500])
            return None
        if event in ("subscribe_msg_popup_event", "subscribe_msg_change_event"):
            for item in data.get("List", []):
                template_id = item.get("TemplateId", "")
                if not template_id:
                    continue
                credit, _created = SubscribeCredit.objects.get_or_create(organization=organization, binding=binding,
                                                                         template_id=template_id)
                if item.get("SubscribeStatusString") == "accept":
                    SubscribeCredit.objects.filter(pk=credit.pk).update(remaining=F("remaining") + 1)
                elif item.get("SubscribeStatusString") == "reject":
                    SubscribeCredit.objects.filter(pk=credit.pk).update(remaining=0)
            return None
        return None
    # A user message: a new 48-hour window with 5 customer-service messages.
    binding.last_inbound_at, binding.custom_sent_in_window = now, 0
    binding.save(update_fields=["last_inbound_at", "custom_sent_in_window", "updated_at"])
    if msg_type != "text":
        content = _("[%(type)s 消息]") % {"type": msg_type}
    else:
        content = data.get("Content", "")
    auto = _keyword_reply(organization, content) if msg_type == "text" else None
    if auto:
        return auto
    ticket, created = ticket_receive(organization=organization, binding=binding, body=content)
    if created:
        return _("已收到您的问题（工单 %(ticket)s），HR 会尽快在这里回复您。") % {"ticket": ticket.pk}
    return None


def wecom_callback_verify(*, organization, params) -> str:
    """WeCom URL check: ``echostr`` is ciphertext; answer the decrypted text."""
    config = account_config(organization_id=organization.pk, provider="wecom")
    if not (config.token and config.encoding_aes_key):
        raise CallbackError("the organization has no WeCom callback token")
    crypto = WeChatCrypto(config.token, config.encoding_aes_key, config.app_id)
    echo = crypto.decrypt_echo(params.get("echostr", ""), msg_signature=params.get("msg_signature", ""),
                               timestamp=params.get("timestamp", ""), nonce=params.get("nonce", ""))
    _check_fresh(f"wecom:{organization.pk}", params.get("timestamp", ""), params.get("nonce", ""))
    return echo


def wecom_callback_receive(*, organization, params, body: bytes) -> None:
    """WeCom pushes (always encrypted): verified and decrypted, then acknowledged. Staff replies in
    WeCom are not routed anywhere yet."""
    config = account_config(organization_id=organization.pk, provider="wecom")
    if not (config.token and config.encoding_aes_key):
        raise CallbackError("the organization has no WeCom callback token")
    crypto = WeChatCrypto(config.token, config.encoding_aes_key, config.app_id)
    timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
    plain = crypto.decrypt_message(body, msg_signature=params.get("msg_signature", ""), timestamp=timestamp, nonce=nonce)
    parse_xml(plain)
    _check_fresh(f"wecom:{organization.pk}", timestamp, nonce)


@dataclass(frozen=True)
class BindingLink:
    """A minted binding token: ``token`` goes into the QR code or link once; the row keeps only its hash."""

    row: BindingToken
    token: str


@transaction.atomic
def binding_token_create(*, candidate, ttl: timedelta = timedelta(days=7)) -> BindingLink:
    # hex: usable as a QR scene_str (≤64 chars) and as an OAuth state ([a-zA-Z0-9] only)
    token = new_hex_token(16)
    row = BindingToken.objects.create(organization_id=candidate.organization_id, candidate=candidate,
                                      token_hash=token_hash(token), expires_at=timezone.now() + ttl)
    return BindingLink(row=row, token=token)


def binding_token_find(*, organization, token: str) -> BindingToken | None:
    """The live (unexpired) binding token ``token`` of ``organization``, or None."""
    return BindingToken.objects.filter(organization=organization, token_hash=token_hash(token),
                                       expires_at__gt=timezone.now()).first()


def binding_qrcode_create(*, candidate, expire_seconds: int = 7 * 24 * 3600) -> dict:
    """A temporary parametric QR code (§5) that binds the scanning WeChat user to ``candidate``.
    Returns ``{"ticket", "url", "expire_seconds", "image_url"}``."""
    token = binding_token_create(candidate=candidate, ttl=timedelta(seconds=expire_seconds))
    config = account_config(organization_id=candidate.organization_id, provider="wechat")
    data = WeixinClient(config).post("/cgi-bin/qrcode/create", {
        "expire_seconds": expire_seconds, "action_name": "QR_STR_SCENE",
        "action_info": {"scene": {"scene_str": f"bind:{token.token}"}}}, dedupe=True)
    from urllib.parse import quote

    data["image_url"] = f"{settings.WECHAT_QR_BASE.rstrip('/')}/cgi-bin/showqrcode?ticket={quote(str(data.get('ticket', '')))}"
    return data


def wechat_oauth_url(*, organization, token: str, redirect_uri: str) -> str:
    """Web OAuth (§6, snsapi_base: silent, openid only) for a candidate who opens their link inside WeChat."""
    from urllib.parse import quote, urlencode

    config = account_config(organization_id=organization.pk, provider="wechat")
    if not config.usable:
        raise CallbackError("the organization has no WeChat account")
    query = urlencode({"appid": config.app_id, "redirect_uri": redirect_uri, "response_type": "code", "scope": "snsapi_base",
                       "state": token}, quote_via=quote)
    return f"{settings.WECHAT_OAUTH_BASE.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"


def wechat_oauth_bind(*, organization, code: str, state: str) -> WeChatBinding:
    """Exchange the one-time ``code`` for the openid and bind it to the candidate of the token in ``state``.
    40029 (invalid code) and 40163 (code used) are never retried: the candidate starts again."""
    from hirelens.messaging.channels.base import ChannelError
    from hirelens.messaging.channels.wxclient import http_json

    token = binding_token_find(organization=organization, token=state)
    if token is None or not code:
        raise CallbackError("unknown or expired binding link")
    config = account_config(organization_id=organization.pk, provider="wechat")
    try:
        data = http_json("GET", f"{config.api_base}/sns/oauth2/access_token",
                         params={"appid": config.app_id, "secret": config.secret, "code": code, "grant_type": "authorization_code"})
    except ChannelError as exc:
        raise CallbackError(f"oauth: {exc.reason}") from None
    openid = data.get("openid")
    if data.get("errcode") or not openid:
        raise CallbackError(f"oauth: {data.get('errcode')} {data.get('errmsg', '')}"[:200])
    with transaction.atomic():
        binding = _binding(organization, openid)
        _bind_scene(organization, binding, f"bind:{state}")
        binding.refresh_from_db()
    return binding
