"""In Debian's Chromium (CSP on, htmx from static files): a recruiter sees the phone masked, presses 显示 and the full
number appears in place, with one audit entry; an interviewer on a phone-sized screen sees it masked and no button."""

import pytest

from conftest import in_thread, staff_login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, base, user):
    staff_login(page, base, user)


def test_reveal_a_phone_in_place_and_the_interviewer_sees_it_masked(asgi_server, page, browser, hr_admin, interviewer):
    from hirelens.candidates import services
    from hirelens.core.models import AuditEvent
    from hirelens.workflows.tests.factories import assign, make_application, make_position

    def setup():
        position = make_position(hr_admin.organization, title="销售代表")
        assign(position, interviewer, "interviewer")
        application = make_application(position, "周雨桐")
        services.candidate_update(candidate=application.candidate, actor=hr_admin, data={"phone": "13712345678"})
        return application.candidate_id, AuditEvent.objects.count()

    candidate_id, audits_before = in_thread(setup)
    base = asgi_server.base_url
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    _login(page, base, hr_admin)
    page.goto(f"{base}/candidates/{candidate_id}/")
    cell = page.get_by_test_id("profile-phone")
    assert cell.inner_text().startswith("137****5678") and "13712345678" not in page.content()
    page.get_by_test_id("reveal-phone").click()
    page.get_by_test_id("contact-value-phone").wait_for()
    assert cell.inner_text().strip() == "13712345678"
    assert page.url.endswith(f"/candidates/{candidate_id}/")  # revealed in place, no navigation
    reveals = in_thread(lambda: [e.fields for e in AuditEvent.objects.order_by("pk")[audits_before:]
                                  if "contact_reveal" in (e.fields or [])])
    assert reveals == [["contact_reveal", "phone"]]
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone_page = context.new_page()
    try:
        _login(phone_page, base, interviewer)
        phone_page.goto(f"{base}/candidates/{candidate_id}/")
        assert phone_page.get_by_test_id("profile-phone").inner_text().strip() == "137****5678"
        assert phone_page.get_by_test_id("reveal-phone").count() == 0 and "13712345678" not in phone_page.content()
    finally:
        context.close()
