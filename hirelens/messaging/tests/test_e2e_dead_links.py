"""In Debian's Chromium at phone size, through the real pages and the real ASGI server: a candidate whose AI-interview
link expired reads what happened and asks for a new link; the request appears in HR's open inbox and the navigation's
counter changes without a reload (Channels ``helpdesk.message``); HR answers and the candidate reads the answer in
their thread. An unknown link answers in the browser's language (English) and asks for a contact."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import wait_for_js
from hirelens.accounts.tests.factories import PASSWORD
from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.interviews.services import _hash
from hirelens.interviews.tests.factories import InterviewSessionFactory
from hirelens.messaging.models import Ticket
from tests.e2e.a11y import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.realtime, pytest.mark.django_db(transaction=True)]


def _login(page, base, user):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn")
    page.wait_for_selector("[data-testid=dashboard-title]")


def test_an_expired_link_becomes_a_ticket_live_in_hrs_inbox_and_the_answer_reaches_the_thread(asgi_server, browser, recruiter):
    base = asgi_server.base_url
    application = ApplicationFactory(candidate__organization=recruiter.organization, candidate__full_name="周宁",
                                     position__organization=recruiter.organization, position__title="产品经理")
    InterviewSessionFactory(application=application, token_hash=_hash("expired-e2e"),
                            expires_at=timezone.now() - timedelta(hours=2))

    hr_context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    hr = hr_context.new_page()
    _login(hr, base, recruiter)
    hr.goto(base + "/messaging/helpdesk/?status=open")
    wait_for_js(hr, "document.body.dataset.live === '1'")  # the events WebSocket is connected
    wait_for_js(hr, "document.querySelector('[data-testid=helpdesk-pending]')?.dataset.count === '0'")
    assert hr.locator("[data-testid=ticket-row]").count() == 0

    candidate_context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    candidate = candidate_context.new_page()
    response = candidate.goto(base + "/i/expired-e2e/")
    assert response.status == 410
    assert candidate.locator("h1").inner_text() == "链接已过期"
    why = candidate.locator("[data-testid=dead-why]").inner_text()
    assert "北京时间" in why and "产品经理" in why and "Asia/Shanghai" not in candidate.content()
    assert candidate.locator("text=返回工作台").count() == 0
    assert_accessible(candidate, "expired AI-interview link (zh)")
    candidate.fill("#new-link-body", "我出差错过了截止时间")
    candidate.click("[data-testid=ask-new-link]")
    candidate.wait_for_selector("[data-testid=new-link-done]")
    assert_accessible(candidate, "new link requested (zh)")

    # HR's open inbox and the counter change without a reload
    hr.wait_for_selector("[data-testid=ticket-row]", timeout=10000)
    wait_for_js(hr, "document.querySelector('[data-testid=helpdesk-pending]')?.dataset.count === '1'", timeout=10000)
    row = hr.locator("[data-testid=ticket-row]").inner_text()
    assert "周宁" in row and "AI视频面试链接" in row and "申请新链接" in row

    hr.click("[data-testid=open-ticket]")
    hr.wait_for_selector("[data-testid=thread-in]")
    assert "我出差错过了截止时间" in hr.locator("[data-testid=thread]").inner_text()
    hr.fill("#reply-body", "已为您重新安排，请查收新的邀请。")
    hr.click("[data-testid=send-reply]")
    hr.wait_for_selector("[data-testid=thread-out]")
    wait_for_js(hr, "document.querySelector('[data-testid=helpdesk-pending]')?.dataset.count === '0'", timeout=10000)

    candidate.click("[data-testid=open-thread]")
    candidate.wait_for_selector("[data-testid=help-thread]")
    thread = candidate.locator("[data-testid=help-thread]").inner_text()
    assert "我出差错过了截止时间" in thread and "已为您重新安排，请查收新的邀请。" in thread
    assert_accessible(candidate, "help page with a thread (zh)")
    candidate.fill("textarea[name=body] >> nth=0", "收到，谢谢")
    candidate.click("[data-testid=help-reply]")
    candidate.wait_for_selector("[data-testid=help-done]")
    assert Ticket.objects.get().messages.count() == 3
    wait_for_js(hr, "document.querySelectorAll('[data-testid=thread-in]').length === 2", timeout=10000)  # live on HR's page
    hr_context.close()
    candidate_context.close()


def test_an_unknown_link_in_english_asks_for_a_contact(asgi_server, browser, org):
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    response = page.goto(asgi_server.base_url + "/scheduling/l/not-a-real-link/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Link not recognised"
    assert_accessible(page, "unknown booking link (en)")
    page.click("[data-testid=ask-new-link]")  # the contact is required: the browser keeps the form
    assert page.evaluate("document.querySelector('#new-link-contact').validity.valueMissing")
    page.fill("#new-link-contact", "zhou.ning@example.com")
    page.click("[data-testid=ask-new-link]")
    page.wait_for_selector("[data-testid=new-link-done]")
    ticket = Ticket.objects.get()
    assert ticket.contact == "zhou.ning@example.com" and ticket.candidate_id is None and ticket.language == "en"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    context.close()
