"""The WeChat callback endpoint: signatures, safe-mode crypto, replay protection, dedupe, follow and
unfollow, QR binding, subscribe consents, keyword replies, help-desk tickets — and tenant isolation."""

import hashlib
from urllib.parse import urlencode

import pytest
from django.test import Client

from hirelens.accounts.tests.factories import OrganizationFactory
from hirelens.messaging.models import BindingToken, ChannelAccount, SubscribeCredit, Ticket, TicketMessage, WeChatBinding
from hirelens.messaging.services.config import messaging_policy_save
from hirelens.messaging.services.inbound import binding_qrcode_create
from hirelens.messaging.wxcrypto import WeChatCrypto, parse_xml, sha1_signature

from .conftest import AES_KEY, CALLBACK_TOKEN, OPENID
from .factories import CandidateFactory
from .wechat_push import event_xml, signed_push, text_xml

pytestmark = pytest.mark.django_db


def post(org, params, body, client=None):
    client = client or Client()
    return client.post(f"/messaging/wechat/{org.slug}/callback?{urlencode(params)}", data=body, content_type="text/xml")


def push(org, xml, *, aes=True, **kw):
    params, body = signed_push(xml, token=CALLBACK_TOKEN, aes_key=AES_KEY if aes else None, app_id="wx5f1e0c1d2a3b4c5d", **kw)
    return post(org, params, body)


def decrypt_reply(response):
    outer = parse_xml(response.content)
    crypto = WeChatCrypto(CALLBACK_TOKEN, AES_KEY, "wx5f1e0c1d2a3b4c5d")
    assert sha1_signature(CALLBACK_TOKEN, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"]) == outer["MsgSignature"]
    return parse_xml(crypto.decrypt(outer["Encrypt"]))


def test_url_verification_echoes_and_refuses_forgeries(org, wechat_account):
    import time

    ts, nonce = str(int(time.time())), "8842"
    good = {"signature": sha1_signature(CALLBACK_TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "echostr": "5837397"}
    assert Client().get(f"/messaging/wechat/{org.slug}/callback", good).content == b"5837397"
    forged = dict(good, signature="0" * 40, nonce="8843")
    assert Client().get(f"/messaging/wechat/{org.slug}/callback", forged).status_code == 403
    assert Client().get(f"/messaging/wechat/{org.slug}/callback", good).status_code == 403  # replayed nonce
    assert Client().get("/messaging/wechat/no-such-org/callback", good).status_code == 404


def test_text_message_opens_a_ticket_and_gets_an_encrypted_passive_reply(org, wechat_account):
    response = push(org, text_xml(openid=OPENID, content="面试链接打不开", msg_id=6054768590064713728))
    assert response.status_code == 200
    reply = decrypt_reply(response)
    ticket = Ticket.objects.get()
    assert reply["ToUserName"] == OPENID and reply["MsgType"] == "text"
    assert reply["Content"] == f"已收到您的问题（工单 {ticket.pk}），HR 会尽快在这里回复您。"
    assert ticket.source == "wechat" and ticket.status == "open" and ticket.organization_id == org.pk
    assert ticket.messages.get().body == "面试链接打不开"
    binding = WeChatBinding.objects.get()
    assert binding.last_inbound_at is not None and binding.openid == OPENID


def test_retried_push_is_handled_once(org, wechat_account):
    xml = text_xml(openid=OPENID, content="你好", msg_id=77)
    assert push(org, xml).status_code == 200
    response = push(org, xml)  # WeChat retries with a new nonce when our answer was slow
    assert response.status_code == 200 and response.content == b"success"
    assert TicketMessage.objects.count() == 1


def test_replayed_forged_stale_or_wrongly_encrypted_pushes_are_refused(org, wechat_account):
    import time

    xml = text_xml(openid=OPENID, content="hi", msg_id=1)
    params, body = signed_push(xml, token=CALLBACK_TOKEN, aes_key=AES_KEY, app_id="wx5f1e0c1d2a3b4c5d")
    assert post(org, params, body).status_code == 200
    assert post(org, params, body).status_code == 403  # the same timestamp+nonce again: a replay
    stale = signed_push(text_xml(openid=OPENID, content="hi", msg_id=2), token=CALLBACK_TOKEN, aes_key=AES_KEY,
                        app_id="wx5f1e0c1d2a3b4c5d", timestamp=int(time.time()) - 3600)
    assert post(org, *stale).status_code == 403
    forged = signed_push(text_xml(openid=OPENID, content="hi", msg_id=3), token="not-the-token", aes_key=AES_KEY,
                         app_id="wx5f1e0c1d2a3b4c5d")
    assert post(org, *forged).status_code == 403
    wrong_key = signed_push(text_xml(openid=OPENID, content="hi", msg_id=4), token=CALLBACK_TOKEN,
                            aes_key="ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg", app_id="wx5f1e0c1d2a3b4c5d")
    assert post(org, *wrong_key).status_code == 403
    wrong_app = signed_push(text_xml(openid=OPENID, content="hi", msg_id=5), token=CALLBACK_TOKEN, aes_key=AES_KEY,
                            app_id="wxSOMEONEELSE")
    assert post(org, *wrong_app).status_code == 403
    plaintext = signed_push(text_xml(openid=OPENID, content="hi", msg_id=6), token=CALLBACK_TOKEN, aes_key=None,
                            app_id="wx5f1e0c1d2a3b4c5d")
    assert post(org, *plaintext).status_code == 403  # safe mode: plaintext pushes are not accepted
    assert TicketMessage.objects.count() == 1


def test_malformed_xml_is_a_bad_request(org, wechat_account):
    ChannelAccount.objects.filter(provider="wechat").update(encoding_aes_key="")  # plain mode for this test
    params, body = signed_push("<xml><Content>unterminated", token=CALLBACK_TOKEN, aes_key=None, app_id="x")
    assert post(org, params, body).status_code == 400
    params, body = signed_push('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>', token=CALLBACK_TOKEN,
                               aes_key=None, app_id="x")
    assert post(org, params, body).status_code == 400
    assert not Ticket.objects.exists()


def test_another_tenants_callback_url_refuses_this_tenants_push(org, wechat_account):
    other = OrganizationFactory(slug="rival")
    ChannelAccount.objects.create(organization=other, provider="wechat", app_id="wxRIVAL", secret="x", token="rival-token",
                                  encoding_aes_key="ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg")
    params, body = signed_push(text_xml(openid=OPENID, content="hi", msg_id=9), token=CALLBACK_TOKEN, aes_key=AES_KEY,
                               app_id="wx5f1e0c1d2a3b4c5d")
    assert post(other, params, body).status_code == 403
    assert not Ticket.objects.exists() and not WeChatBinding.objects.exists()
    # the same openid in two organizations is two separate bindings and tickets
    assert push(org, text_xml(openid=OPENID, content="A", msg_id=10)).status_code == 200
    rival_params, rival_body = signed_push(text_xml(openid=OPENID, content="B", msg_id=10), token="rival-token",
                                           aes_key="ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg", app_id="wxRIVAL")
    assert post(other, rival_params, rival_body).status_code == 200
    assert Ticket.objects.filter(organization=org).get().messages.get().body == "A"
    assert Ticket.objects.filter(organization=other).get().messages.get().body == "B"


def test_qr_scan_binds_the_openid_to_the_candidate_and_unfollow_stops_wechat(org, wechat_account, fake_wechat):
    candidate = CandidateFactory(organization=org)
    qr = binding_qrcode_create(candidate=candidate)
    scene = fake_wechat.sent_to("qrcode")[0]["action_info"]["scene"]["scene_str"]
    assert scene.startswith("bind:") and qr["ticket"] and "showqrcode?ticket=" in qr["image_url"]
    response = push(org, event_xml(openid=OPENID, event="subscribe",
                                   extra=f"<EventKey><![CDATA[qrscene_{scene}]]></EventKey><Ticket><![CDATA[{qr['ticket']}]]></Ticket>"))
    assert decrypt_reply(response)["Content"] == "绑定成功：面试通知将通过本公众号发送给您。"
    binding = WeChatBinding.objects.get()
    assert binding.candidate_id == candidate.pk and binding.followed
    push(org, event_xml(openid=OPENID, event="unsubscribe"))
    binding.refresh_from_db()
    assert not binding.followed
    # an existing follower scanning: Event=SCAN, EventKey without the prefix (idempotent)
    push(org, event_xml(openid=OPENID, event="subscribe", create_time=1))
    push(org, event_xml(openid=OPENID, event="SCAN", extra=f"<EventKey><![CDATA[{scene}]]></EventKey>"))
    binding.refresh_from_db()
    assert binding.followed and binding.candidate_id == candidate.pk


def test_subscribe_consent_events_grant_one_credit_each(org, wechat_account):
    items = ("<SubscribeMsgPopupEvent><List><TemplateId><![CDATA[SUB-RESULT]]></TemplateId>"
             "<SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString><PopupScene>2</PopupScene></List>"
             "<List><TemplateId><![CDATA[SUB-OTHER]]></TemplateId><SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString>"
             "<PopupScene>2</PopupScene></List></SubscribeMsgPopupEvent>")
    push(org, event_xml(openid=OPENID, event="subscribe_msg_popup_event", extra=items, create_time=100))
    push(org, event_xml(openid=OPENID, event="subscribe_msg_popup_event", extra=items, create_time=101))
    assert dict(SubscribeCredit.objects.values_list("template_id", "remaining")) == {"SUB-RESULT": 2, "SUB-OTHER": 0}


def test_keyword_auto_reply(org, wechat_account, hr_admin):
    messaging_policy_save(actor=hr_admin, keyword_replies=[{"keyword": "地址", "reply": "公司地址：上海市浦东新区世纪大道 100 号"}])
    response = push(org, text_xml(openid=OPENID, content="请问面试地址在哪？", msg_id=42))
    assert decrypt_reply(response)["Content"] == "公司地址：上海市浦东新区世纪大道 100 号"
    assert not Ticket.objects.exists()


def test_wecom_url_verification_returns_the_decrypted_echo(org, wechat_account):
    import time

    ChannelAccount.objects.filter(provider="wecom").update(token="wecom-token")
    account = ChannelAccount.objects.get(provider="wecom")
    account.token, account.encoding_aes_key = "wecom-token", AES_KEY
    account.save()
    crypto = WeChatCrypto("wecom-token", AES_KEY, account.app_id)
    echo = crypto.encrypt("1616140317555161061")
    ts, nonce = str(int(time.time())), "1597212914"
    params = {"msg_signature": sha1_signature("wecom-token", ts, nonce, echo), "timestamp": ts, "nonce": nonce, "echostr": echo}
    response = Client().get(f"/messaging/wecom/{org.slug}/callback", params)
    assert response.status_code == 200 and response.content == b"1616140317555161061"
    params["nonce"] = "1597212915"  # signature no longer matches
    assert Client().get(f"/messaging/wecom/{org.slug}/callback", params).status_code == 403


def test_binding_through_a_link_opened_in_wechat(org, wechat_account, fake_wechat, settings):
    from hirelens.messaging.services.inbound import binding_token_create

    settings.WECHAT_OAUTH_BASE = "https://open.weixin.qq.com"
    candidate = CandidateFactory(organization=org)
    token = binding_token_create(candidate=candidate)
    # only the token's hash is stored: the database holds nothing that opens the link
    row = BindingToken.objects.values().get(pk=token.row.pk)
    assert token.token not in {str(v) for v in row.values()} and row["token_hash"] == hashlib.sha256(token.token.encode()).hexdigest()
    client = Client()
    response = client.get(f"/messaging/wechat/{org.slug}/bind/{token.token}/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"https://open.weixin.qq.com/connect/oauth2/authorize?appid={fake_wechat.app_id}&")
    assert "scope=snsapi_base" in response["Location"] and f"state={token.token}" in response["Location"]
    assert response["Location"].endswith("#wechat_redirect")
    code = fake_wechat.oauth_code(OPENID)
    done = client.get(f"/messaging/wechat/{org.slug}/bind/{token.token}/", {"code": code, "state": token.token})
    assert done.status_code == 200 and "绑定成功" in done.content.decode()
    assert WeChatBinding.objects.get().candidate_id == candidate.pk
    again = client.get(f"/messaging/wechat/{org.slug}/bind/{token.token}/", {"code": code, "state": token.token})
    assert again.status_code == 400  # 40163 code been used: never retried
    assert client.get(f"/messaging/wechat/{org.slug}/bind/nope/").status_code == 404
    other = OrganizationFactory(slug="elsewhere")
    code = fake_wechat.oauth_code("oSomeoneElse")
    assert client.get(f"/messaging/wechat/{other.slug}/bind/{token.token}/", {"code": code, "state": token.token}).status_code == 400
    assert WeChatBinding.objects.count() == 1


def test_template_delivery_result_event_is_recorded(org, wechat_account, fake_wechat):
    from hirelens.messaging.models import DeliveryAttempt
    from hirelens.messaging.services import message_deliver, message_send

    candidate = CandidateFactory(organization=org)
    WeChatBinding.objects.create(organization=org, candidate=candidate, openid=OPENID)
    fake_wechat.followers.add(OPENID)
    message = message_send(organization_id=org.pk, kind="invitation", candidate=candidate, variables={"position": "销售代表"})
    message_deliver(message_id=message.pk)
    attempt = DeliveryAttempt.objects.get(status="sent")
    extra = f"<MsgID>{attempt.provider_id}</MsgID><Status><![CDATA[failed:user block]]></Status>"
    assert push(org, event_xml(openid=OPENID, event="TEMPLATESENDJOBFINISH", extra=extra)).content == b"success"
    attempt.refresh_from_db()
    assert attempt.error == "delivery: failed:user block"
