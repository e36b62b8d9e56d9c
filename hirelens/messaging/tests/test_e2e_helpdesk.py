"""In Debian's Chromium: a candidate's WeChat message arrives through the encrypted callback and shows up
live in HR's help desk; HR answers on the page and a real worker delivers the answer to the (fake) WeChat
server as a customer-service message."""

import time
import urllib.request
from urllib.parse import urlencode

import pytest

from conftest import wait_for_js
from hirelens.accounts.tests.factories import PASSWORD
from hirelens.messaging.models import Message, Ticket

from .conftest import AES_KEY, CALLBACK_TOKEN, OPENID
from .wechat_push import signed_push, text_xml

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wechat_pushes(base_url, org, content, msg_id):
    params, body = signed_push(text_xml(openid=OPENID, content=content, msg_id=msg_id), token=CALLBACK_TOKEN, aes_key=AES_KEY,
                               app_id="wx5f1e0c1d2a3b4c5d")
    request = urllib.request.Request(f"{base_url}/messaging/wechat/{org.slug}/callback?{urlencode(params)}", data=body,
                                     method="POST", headers={"Content-Type": "text/xml"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return response.read()


def test_wechat_message_appears_live_and_the_answer_reaches_wechat(asgi_server, page, org, recruiter, wechat_account,
                                                                   fake_wechat, real_queue, start_worker):
    fake_wechat.followers.add(OPENID)
    fake_wechat.user_message(OPENID)
    worker = start_worker(HIRELENS_WECHAT_API_BASE=fake_wechat.url)

    page.goto(asgi_server.base_url + "/accounts/login/")
    page.fill("#id_username", recruiter.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn")
    page.wait_for_selector("[data-testid=dashboard-title]")
    page.goto(asgi_server.base_url + "/messaging/helpdesk/")
    wait_for_js(page, "document.body.dataset.live === '1'")  # the events WebSocket is connected
    assert page.locator("[data-testid=ticket-row]").count() == 0

    wechat_pushes(asgi_server.base_url, org, "面试链接打不开，一直转圈", 6054768590064713728)
    page.wait_for_selector("[data-testid=ticket-row]", timeout=10000)  # no reload: pushed over the WebSocket
    ticket = Ticket.objects.get()
    assert page.locator("[data-testid=ticket-row]").get_attribute("data-status") == "open"

    page.click("[data-testid=open-ticket]")
    page.wait_for_selector("[data-testid=thread-in]")
    assert "面试链接打不开，一直转圈" in page.locator("[data-testid=thread]").inner_text()
    # a second message while HR has the ticket open appears live in the thread
    wechat_pushes(asgi_server.base_url, org, "我用的是手机微信", 6054768590064713729)
    wait_for_js(page, "document.querySelectorAll('[data-testid=thread-in]').length === 2", timeout=10000)

    page.fill("#reply-body", "请复制链接到手机浏览器打开，或使用备用链接。")
    page.click("[data-testid=send-reply]")
    page.wait_for_selector("[data-testid=thread-out]")
    deadline = time.time() + 60
    while not fake_wechat.sent_to("custom"):
        assert time.time() < deadline, "the worker never delivered the answer:\n" + worker.output()
        time.sleep(0.2)
    assert fake_wechat.sent_to("custom") == [{"touser": OPENID, "msgtype": "text",
                                              "text": {"content": "请复制链接到手机浏览器打开，或使用备用链接。"}}]
    while Message.objects.get().status != "sent":  # the worker records the result right after WeChat answered
        assert time.time() < deadline, worker.output()
        time.sleep(0.1)
    assert Message.objects.get().channel == "wechat_custom"
    ticket.refresh_from_db()
    assert ticket.status == "answered" and ticket.first_response_at is not None
