"""Issue 19, no dead ends, in Chromium on a phone (390x844) in zh-Hans and English: the pages that end a candidate's
path — a live room that has ended, a survey already sent, the AI interview's choice and explanation pages, the
data-and-rights page — show "need help?", pass the accessibility audit (axe: 0 serious/critical, one h1, 44 px
targets, no staff links), and the link leads to the help page, where the question is sent with the page and step;
HR's answer shows in the candidate's thread; HR's pending counter and inbox update live when a candidate asks."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import in_thread, staff_login, wait_for_js
from tests.e2e.test_accessibility import Audit, language, phone  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ANSWER = {"zh-hans": "您好，结果会在三个工作日内通知您。", "en": "Hello, you will hear from us within three working days."}
ASKED = {"zh-hans": "面试结束了，结果什么时候通知？", "en": "The interview ended. When will I hear back?"}


def _expired_download(candidate, actor, lang: str) -> str:
    """A built export whose download link expired (the page speaks the language the request was made in)."""
    from datetime import timedelta

    from django.core.files.base import ContentFile

    from hirelens.privacy import services
    from hirelens.privacy.models import PrivacyExport

    export = services.export_start(actor=actor, privacy_request=services.privacy_request_create(
        actor=actor, candidate=candidate, kind="export", language=lang))
    export.status, export.expires_at = PrivacyExport.Status.READY, timezone.now() - timedelta(minutes=1)
    export.file.save("archive.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    export.save()
    return services.export_url(export, absolute=False)


def test_pages_that_end_a_path_offer_help_and_pass_the_audit(asgi_server, phone, language, org, hr_admin,  # noqa: F811
                                                            interviewer):
    def setup():
        from hirelens.candidates.tests.factories import ApplicationFactory
        from hirelens.feedback.services import survey_send
        from hirelens.interviews.services import _hash
        from hirelens.interviews.tests.factories import InterviewSessionFactory
        from hirelens.live.models import LiveRoom
        from hirelens.live.tests.room_setup import live_interview
        from hirelens.portal.services import portal_link_create

        room, live_token = live_interview(org, hr_admin, [interviewer])
        LiveRoom.objects.filter(pk=room.pk).update(state=LiveRoom.State.ENDED)
        survey, survey_token = survey_send(application=ApplicationFactory(candidate__organization=org, position__organization=org),
                                           now=timezone.now())
        survey.answered = True
        survey.save(update_fields=["answered"])
        session = InterviewSessionFactory(application=room.application, token_hash=_hash("no-dead-end"), link_token="no-dead-end",
                                          language=language)
        _link, portal_token = portal_link_create(actor=hr_admin, candidate=room.application.candidate)
        return room, live_token, survey_token, session, portal_token, _expired_download(room.application.candidate, hr_admin, language)

    room, live_token, survey_token, session, portal_token, download = in_thread(setup)
    base, page, audit = asgi_server.base_url, phone, Audit(phone, language)
    for label, path in (("survey, already sent", f"/feedback/s/{survey_token}/"),
                        ("AI interview, choice", "/i/no-dead-end/choice/"),
                        ("AI interview, explanation", "/i/no-dead-end/explanation/"),
                        ("data and rights", f"/privacy/portal/{portal_token}/"),
                        ("expired download link", download),
                        ("live room, ended", f"/live/join/{live_token}/")):
        page.goto(base + path)
        audit.expect(page.locator("[data-testid=need-help]").count() == 1, f"{label} [{language}]: no 'need help?' link")
        audit.check(label)
    # the ended room's link, tapped: the help page, then the question reaches HR with the page and the step
    page.click("[data-testid=need-help]")
    page.wait_for_url("**/messaging/help/**")
    assert page.input_value("input[name=step]") == "ended"
    audit.check("help page from an ended room")
    page.fill("main textarea", ASKED[language])
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=help-done]")
    audit.check("help page, sent")
    help_page = page.url.split("?")[0]

    def answer():
        from hirelens.messaging.models import Ticket
        from hirelens.messaging.services.helpdesk import ticket_reply

        ticket_reply(actor=hr_admin, ticket=Ticket.objects.get(), body=ANSWER[language])

    in_thread(answer)
    page.goto(help_page)  # the candidate opens the help page again (the link in HR's answer leads here too)
    page.wait_for_selector(f"[data-testid=help-out]:has-text('{ANSWER[language]}')")
    audit.check("help page, HR's answer in the thread")
    audit.done()

    def ticket():
        from hirelens.messaging.models import Ticket

        found = Ticket.objects.get()
        return found.candidate_id, found.step, found.subject_type, found.subject_id, found.page, found.messages.get(direction="in").body

    assert in_thread(ticket) == (room.application.candidate_id, "ended", "scheduling.interview", room.interview_id,
                                 "/live/join/…/", ASKED[language])


def test_hrs_pending_counter_and_inbox_update_live_when_a_candidate_asks(asgi_server, browser, page, org, recruiter):
    """HR has the inbox open; a candidate asks from the "need help?" page of a sent survey on a phone: the navigation's
    pending counter goes from nothing to 1 and the ticket row appears, with no reload (the events WebSocket)."""
    def setup():
        from hirelens.candidates.tests.factories import ApplicationFactory
        from hirelens.feedback.services import survey_send

        survey, token = survey_send(application=ApplicationFactory(candidate__organization=org, position__organization=org),
                                    now=timezone.now())
        survey.answered = True
        survey.save(update_fields=["answered"])
        return token

    token = in_thread(setup)
    staff_login(page, asgi_server.base_url, recruiter)
    page.goto(asgi_server.base_url + "/messaging/helpdesk/")
    wait_for_js(page, "document.body.dataset.live === '1'")  # the events WebSocket is connected
    page.wait_for_selector("#helpdesk-counter [data-testid=helpdesk-pending][data-count='0']", state="attached")
    assert page.locator("[data-testid=ticket-row]").count() == 0

    candidate = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        phone = candidate.new_page()
        phone.goto(f"{asgi_server.base_url}/feedback/s/{token}/")
        phone.click("[data-testid=need-help]")
        phone.fill("main textarea", "调查提交后还能修改吗？")
        phone.click("main button[type=submit]")
        phone.wait_for_selector("[data-testid=help-done]")
    finally:
        candidate.close()
    page.wait_for_selector("#helpdesk-counter [data-testid=helpdesk-pending][data-count='1']", state="attached", timeout=10000)
    page.wait_for_selector("[data-testid=ticket-row]", timeout=10000)
    assert page.locator("[data-testid=ticket-row]").count() == 1
