"""In Debian's Chromium, zh-Hans and English: HR opens a candidate's record, records a deletion request on their behalf
and completes it on the case page (after the confirmation); then the record answers 404, the candidate's portal link
shows the dead-link page, and the case page keeps only the erasure's pseudonym; axe on the case page before and after."""

from __future__ import annotations

import re

import pytest

from conftest import in_thread, staff_login
from tests.e2e.a11y import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = "陈晨"
WORDS = {
    "zh-hans": {"kind": "删除个人信息", "erased": "已删除的候选人", "confirm": "确定删除该候选人的全部个人信息？"},
    "en": {"kind": "Delete my personal data", "erased": "Erased candidate", "confirm": "Delete all of this candidate's personal data?"},
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_hr_records_and_completes_a_deletion_for_the_candidate(asgi_server, browser, page, hr_admin, language):
    from django.utils import translation

    from hirelens.candidates.models import Candidate
    from hirelens.core.models import Erasure
    from hirelens.portal.services import portal_link_create, portal_url
    from hirelens.privacy.models import PrivacyRequest

    from .factories import application_in

    def setup():
        candidate = application_in(hr_admin.organization, candidate__full_name=NAME, candidate__email="chenchen@example.com").candidate
        return candidate.pk, portal_link_create(actor=hr_admin, candidate=candidate)[1]

    candidate_id, token = in_thread(setup)
    words, base = WORDS[language], asgi_server.base_url

    assert page.goto(base + portal_url(token, absolute=False)).status == 200  # the candidate's portal works before
    if language == "en":
        page.click("[data-testid=lang-en]")
        page.wait_for_selector("html[lang=en]")

    hr = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    staff_login(hr, base, hr_admin)
    if language == "en":
        hr.click("[data-testid=lang-en]")
        hr.wait_for_selector("html[lang=en]")
    hr.goto(f"{base}/candidates/{candidate_id}/")
    hr.click("[data-testid=privacy-request-new]")
    hr.check("input[name=kind][value=delete]")
    hr.fill("#id_details", "电话中要求删除全部资料")
    hr.click("[data-testid=request-new-submit]")
    hr.wait_for_selector("[data-testid=request][data-status=open]")
    assert hr.locator("[data-testid=request-title]").inner_text() == f"{NAME} · {words['kind']}"
    assert_accessible(hr, f"deletion case, open ({language})")

    asked = []
    hr.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    hr.click("[data-testid=request-complete]")
    hr.wait_for_timeout(300)  # a dismissed confirmation submits nothing: the case is still open
    assert asked == [words["confirm"]]
    assert hr.locator("[data-testid=request]").get_attribute("data-status") == "open"
    assert in_thread(lambda: Candidate.objects.filter(pk=candidate_id).exists())

    hr.once("dialog", lambda dialog: dialog.accept())
    hr.click("[data-testid=request-complete]")
    hr.wait_for_selector("[data-testid=request][data-status=done]")
    erasure = in_thread(lambda: Erasure.objects.get())
    assert hr.locator("[data-testid=request-title]").inner_text() == f"{words['erased']} · {words['kind']}"
    body = hr.inner_text("body")
    assert NAME not in hr.content() and "电话中要求删除全部资料" not in hr.content()  # details cleared with the person
    pseudonyms = re.findall(r"\b[0-9a-f]{16}\b", body)
    assert pseudonyms == [erasure.pseudonym]
    assert in_thread(lambda: PrivacyRequest.objects.get().tombstone) == erasure.pseudonym
    assert_accessible(hr, f"deletion case, done ({language})")

    assert hr.goto(f"{base}/candidates/{candidate_id}/").status == 404
    assert NAME not in hr.content()
    hr.context.close()

    response = page.goto(base + portal_url(token, absolute=False))
    assert response.status == 404
    assert page.locator("[data-testid=dead-link]").get_attribute("data-status") == "unknown"
    with translation.override(language):
        assert page.locator("[data-testid=dead-link] h1").inner_text() == translation.gettext("无法识别这个链接")
    assert page.evaluate("document.documentElement.lang") == ("en" if language == "en" else "zh-hans")
    assert NAME not in page.content()
    assert_accessible(page, f"the erased candidate's portal link ({language})")
