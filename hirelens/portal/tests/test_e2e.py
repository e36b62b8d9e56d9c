"""In Debian's Chromium: a candidate edits a project in the portal on a phone, and the HR page that is
already open shows the change without a reload (WebSocket push → HTMX re-fetch)."""

import threading

import pytest

from conftest import wait_for_js
from hirelens.accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_portal_edit_reaches_open_hr_page_live(asgi_server, browser, page, hr_admin):
    from hirelens.candidates import services
    from hirelens.candidates.tests.factories import ApplicationFactory
    from hirelens.portal.services import portal_link_create, portal_url

    def setup():
        # Services publish to the channel layer with async_to_sync, which refuses to run in the thread
        # that hosts Playwright's event loop: create the data in a plain thread.
        candidate = ApplicationFactory(candidate__organization=hr_admin.organization, candidate__full_name="陈晨").candidate
        services.project_save(candidate=candidate, actor=hr_admin, name="华东渠道拓展", results="项目营收 800万元")
        made.append((candidate, portal_link_create(actor=hr_admin, candidate=candidate)[1]))

    made = []
    worker = threading.Thread(target=setup)
    worker.start()
    worker.join()
    candidate, token = made[0]

    hr = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    hr.goto(asgi_server.base_url + "/accounts/login/")
    hr.fill("#id_username", hr_admin.email)
    hr.fill("#id_password", PASSWORD)
    hr.click("button[type=submit].btn")
    hr.wait_for_selector("[data-testid=dashboard-title]")
    hr.goto(f"{asgi_server.base_url}/candidates/{candidate.pk}/")
    wait_for_js(hr, "document.body.dataset.live === '1'")
    assert hr.locator("[data-testid=project-result]").inner_text() == "项目营收: 8000000 CNY"
    hr.evaluate("window.__notReloaded = true")
    assert not hr.locator("[data-testid=live-notice]").is_visible()

    # The candidate, on a phone, opens the link and edits the project.
    page.goto(asgi_server.base_url + portal_url(token, absolute=False))
    assert page.locator("[data-testid=portal-title]").inner_text() == "陈晨，您好"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    page.click("[data-testid=portal-project] summary")
    page.fill("[data-testid=portal-project] input[name=name]", "华东渠道拓展（二期）")
    page.fill("[data-testid=portal-project] textarea[name=results]", "项目营收 1000万元")
    page.click("[data-testid=portal-project] button[type=submit].btn >> nth=0")
    page.wait_for_selector("[data-testid=portal-message]")
    assert page.locator("[data-testid=portal-message]").inner_text() == "项目已保存。"

    hr.wait_for_selector("text=华东渠道拓展(二期)", timeout=10000)
    assert hr.locator("[data-testid=project-result]").inner_text() == "项目营收: 10000000 CNY"
    assert hr.locator("[data-testid=live-notice]").is_visible()
    assert hr.evaluate("window.__notReloaded") is True  # same document: no reload happened
    hr.click("[data-testid=tab-timeline]")
    first = hr.locator("[data-testid=timeline-event]").first
    assert "候选人本人" in first.inner_text() and "候选人更新" in first.inner_text()
    hr.context.close()
