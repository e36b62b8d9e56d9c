"""In Debian's Chromium on a phone-sized screen (390 px), by keyboard where it matters: the HR admin creates a webhook
address (the signing secret is shown once), the list names it with its events in words, the address's page shows a
delivery with its state in words and filters by state, rotating and deleting ask first, and nothing scrolls sideways."""

from __future__ import annotations

import pytest

from conftest import in_thread, staff_login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"
WIDEST = """(() => { const w = window.innerWidth; const out = [];
for (const el of document.querySelectorAll('body *')) { const r = el.getBoundingClientRect();
 if (r.right > w + 1) out.push(el.tagName + '.' + el.className + '#' + (el.getAttribute('data-testid')||'') + ' ' + Math.round(r.right) + ' ' + (el.textContent||'').slice(0,40)); }
return out.slice(0, 12); })()"""



def test_hr_admin_creates_reads_rotates_and_deletes_a_webhook_on_a_phone(asgi_server, page, org, hr_admin, receiver):
    from hirelens.core import events
    from hirelens.webhooks.models import WebhookDelivery, WebhookEndpoint

    base = asgi_server.base_url
    staff_login(page, base, hr_admin)
    page.goto(base + "/settings/webhooks/")
    assert "还没有 Webhook 地址。" in page.content()
    page.fill("#id_url", receiver.url)
    page.fill("#id_description", "HRIS 同步")
    box = page.locator("input[name=event_types][value='decision.recorded']")
    box.focus()
    page.keyboard.press("Space")  # a checkbox by keyboard
    assert box.is_checked()
    page.locator("[data-testid=webhook-create] button[type=submit]").focus()
    page.keyboard.press("Enter")
    secret = page.locator("[data-testid=webhook-secret]").inner_text()
    assert secret and "只显示这一次" in page.content()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(WIDEST)

    endpoint = in_thread(lambda: WebhookEndpoint.objects.get())
    assert in_thread(lambda: WebhookEndpoint.objects.get().secret) == secret
    page.goto(base + "/settings/webhooks/")
    row = page.locator(f"[data-testid=webhook-endpoint][data-endpoint='{endpoint.pk}']")
    assert receiver.url in row.inner_text() and "HRIS 同步" in row.inner_text() and "已记录决定" in row.inner_text()
    assert secret not in page.content()  # shown once
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(WIDEST)

    # an event: one delivery, shown on the address's page with its event and state in words
    in_thread(lambda: events.emit(events.DecisionRecorded(organization_id=org.pk, decision_id=7, application_id=7,
                                                          outcome="hire")))
    assert in_thread(lambda: WebhookDelivery.objects.filter(endpoint_id=endpoint.pk).count()) == 1
    row.locator("a").click()
    page.wait_for_url(f"**/settings/webhooks/{endpoint.pk}/")
    delivery = page.locator("[data-testid=webhook-delivery]")
    assert delivery.count() == 1
    state = delivery.get_attribute("data-state")
    shown = delivery.inner_text()
    assert "已记录决定" in shown and state not in shown  # the state in words, never its code
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(WIDEST)
    other = "failed" if state != "failed" else "delivered"
    page.select_option("#id_state", other)
    page.locator("form[action='#deliveries'] button[type=submit]").click()
    page.wait_for_function(f"location.search.includes('state={other}') && document.readyState === 'complete'")
    assert page.locator("[data-testid=webhook-delivery]").count() == 0 and "没有投递记录。" in page.content()

    # rotating asks first; cancelling changes nothing, accepting shows the new secret once
    asked: list[str] = []

    def answer(dialog, accept: bool):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.click("[data-testid=webhook-rotate]")
    page.wait_for_timeout(300)
    assert asked and "更换签名密钥" in asked[-1]
    assert in_thread(lambda: WebhookEndpoint.objects.get().secret) == secret
    page.once("dialog", lambda d: answer(d, True))
    page.click("[data-testid=webhook-rotate]")
    page.wait_for_selector("[data-testid=webhook-secret]")
    rotated = page.locator("[data-testid=webhook-secret]").inner_text()
    assert rotated != secret and "旧密钥在 24 小时内仍然有效" in page.content()
    assert in_thread(lambda: (WebhookEndpoint.objects.get().secret, WebhookEndpoint.objects.get().previous_secret)) == (rotated, secret)

    # deleting asks first too
    page.goto(f"{base}/settings/webhooks/{endpoint.pk}/")
    page.once("dialog", lambda d: answer(d, True))
    page.click("[data-testid=webhook-delete]")
    page.wait_for_url("**/settings/webhooks/")
    assert "删除" in asked[-1] and "还没有 Webhook 地址。" in page.content()
    assert in_thread(lambda: WebhookEndpoint.objects.count()) == 0
