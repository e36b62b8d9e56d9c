"""WCAG 2.1 AA on the candidate's pages, in Debian's Chromium at a phone size (390x844), in zh-Hans and English:
axe-core (tests/e2e/a11y.py) finds nothing serious or critical in any reachable state; every page has its language
and an h1; buttons, choices and stand-alone links are touch targets of at least 44x44 px; errors are announced
(role=alert, tied to their field with aria-describedby); no link leads a candidate to staff pages (the dashboard, the
staff login); the survey and the booking page work by keyboard alone.

The AI interview's own steps are checked in hirelens/interviews (its flow's tests use the same harness)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from conftest import CHROMIUM, CHROMIUM_ARGS, in_thread, wait_for_js
from tests.e2e.a11y import assert_accessible, axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LANGUAGES = {"zh-hans": "zh-CN", "en": "en-US"}
MIN_TARGET = 44

# Every visible control in the page's content (and the language switch) with the box a finger hits: a radio or a
# check box counts with its label (a tap on the label picks it). A link inside running text is exempt (the
# "inline" exception of WCAG 2.5.8); a link standing on its own is a target like a button.
TARGETS = """() => {
  const seen = new Set(), small = [];
  const shown = (el) => { const r = el.getBoundingClientRect(), s = getComputedStyle(el);
                          return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; };
  const controls = document.querySelectorAll(
    'main button, main a[href], main input[type=radio], main input[type=checkbox], main summary, main select, ' +
    'header form button');
  for (const el of controls) {
    let target = el;
    if (el.matches('input[type=radio], input[type=checkbox]')) target = el.closest('label') || el;
    if (el.matches('a') && !el.classList.contains('btn') && getComputedStyle(el).display === 'inline') {
      const around = el.parentElement.textContent.replace(/\\s+/g, '');
      if (around !== el.textContent.replace(/\\s+/g, '')) continue;
    }
    if (seen.has(target) || !shown(target)) continue;
    seen.add(target);
    const r = target.getBoundingClientRect();
    if (r.width < MIN_TARGET - 0.5 || r.height < MIN_TARGET - 0.5)
      small.push(`${el.outerHTML.slice(0, 90)} is ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return small;
}""".replace("MIN_TARGET", str(MIN_TARGET))

STRUCTURE = """() => ({
  lang: document.documentElement.lang,
  h1: Array.from(document.querySelectorAll('h1')).filter(h => h.getClientRects().length).map(h => h.textContent.trim()),
  title: document.title,
  sideways: document.documentElement.scrollWidth > window.innerWidth,
  staffLinks: Array.from(document.querySelectorAll('a[href]')).map(a => new URL(a.href, location.href))
    .filter(u => u.origin === location.origin && (u.pathname === '/' || u.pathname.startsWith('/accounts/')))
    .map(u => u.pathname),
})"""


class Audit:
    """Collects every problem of a test's pages, so one run reports them all."""

    def __init__(self, page, language: str):
        self.page, self.language, self.problems, self.checked = page, language, [], []

    def check(self, label: str) -> None:
        label = f"{label} [{self.language}]"
        self.checked.append(label)
        page = self.page
        try:
            assert_accessible(page, label)
        except AssertionError as error:
            self.problems.append(str(error))
        info = page.evaluate(STRUCTURE)
        if info["lang"] != self.language:
            self.problems.append(f"{label}: <html lang={info['lang']!r}>, expected {self.language!r}")
        if len(info["h1"]) != 1 or not info["h1"][0]:
            self.problems.append(f"{label}: visible h1 elements {info['h1']!r} (one expected)")
        if info["staffLinks"]:  # every page here is seen by a visitor who is not signed in: a candidate
            self.problems.append(f"{label}: links to staff pages {info['staffLinks']!r}")
        if info["sideways"]:
            self.problems.append(f"{label}: wider than the phone's screen (sideways scrolling)")
        for small in page.evaluate(TARGETS):
            self.problems.append(f"{label}: touch target under {MIN_TARGET} px: {small}")

    def expect(self, condition: bool, message: str) -> None:
        if not condition:
            self.problems.append(message)

    def done(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


def announced(page, selector: str) -> bool:
    """The element is in (or is) a live region that screen readers announce, or describes a field."""
    return page.evaluate("""(selector) => {
      const el = document.querySelector(selector);
      if (!el) return false;
      if (el.closest('[role=alert], [role=status], [aria-live=assertive], [aria-live=polite]')) return true;
      return !!el.id && !!document.querySelector(`[aria-describedby~="${el.id}"]`);
    }""", selector)


@pytest.fixture(params=list(LANGUAGES))
def language(request):
    return request.param


def phone_context(browser, base_url: str, language: str, **extra):
    context = browser.new_context(locale=LANGUAGES[language], viewport=PHONE, is_mobile=True, has_touch=True, **extra)
    context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
    return context


@pytest.fixture
def phone(browser, asgi_server, language):
    context = phone_context(browser, asgi_server.base_url, language)
    page = context.new_page()
    yield page
    context.close()


def _application(org, name="陈晨", title="销售代表"):
    from hirelens.workflows.tests.factories import make_application, make_position

    return make_application(make_position(org, title=title), name)


def _slot(application, days: int):
    from hirelens.scheduling.models import InterviewSlot

    start = (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return InterviewSlot.objects.create(organization=application.organization, position=application.position, start_at=start,
                                        end_at=start + timedelta(minutes=45), time_zone="Asia/Shanghai")


# --- The harness itself ----------------------------------------------------------------------------------------


def test_the_harness_reports_what_axe_finds(page):
    """A page with an unlabelled radio and an image without text: axe's findings come back with their rule and
    target, and assert_accessible fails naming them (so a new serious finding fails the suite)."""
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><h1>T</h1>'
                     '<input type="radio" name="x" id="bare"><img src="data:," id="pic"></main></body></html>')
    found = {v["id"]: v for v in axe_violations(page)}
    assert {"label", "image-alt"} <= set(found)
    assert found["label"]["impact"] == "critical" and found["label"]["nodes"][0]["target"] == "#bare"
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "sample")
    assert "- label (critical)" in str(failure.value) and "#bare" in str(failure.value)


# --- Booking -----------------------------------------------------------------------------------------------------


def test_booking_page(asgi_server, browser, phone, language, org, hr_admin):
    from hirelens.scheduling import services

    def setup():
        open_app, empty_app = _application(org), _application(org, "王芳", "产品经理")
        _slot(open_app, 2), _slot(open_app, 3)
        return [urlsplit(services.booking_link_issue(actor=hr_admin, application=a)).path for a in (open_app, empty_app)]

    with_slots, without = (asgi_server.base_url + path for path in in_thread(setup))
    other = phone_context(browser, asgi_server.base_url, language)  # a browser opens one candidate's links only
    audit = Audit(other.new_page(), language)
    audit.page.goto(without)
    audit.check("booking, no time left")
    other.close()

    audit.page = page = phone
    page.goto(with_slots)
    audit.expect(page.locator("input[name=slot]").count() == 2, "booking: two offered times")
    audit.check("booking, times offered")

    # By keyboard alone: Tab to the first time, Space picks it, Tab to the button, Enter books.
    page.keyboard.press("Tab")  # the skip link first
    for _ in range(12):
        if page.evaluate("document.activeElement.name") == "slot":
            break
        page.keyboard.press("Tab")
    audit.expect(page.evaluate("document.activeElement.name") == "slot", "booking: Tab never reached the first time")
    audit.expect(page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none",
                 "booking: the focused time shows no focus ring")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    audit.expect(page.evaluate("document.activeElement.dataset.testid") == "book", "booking: Tab after the times is not the button")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=booked]")
    audit.check("booking, booked")
    audit.done()


# --- Survey ------------------------------------------------------------------------------------------------------


def test_survey_page(asgi_server, phone, language, org):
    from hirelens.feedback import services
    from hirelens.feedback.models import SurveyResponse

    def setup():
        return services.survey_send(application=_application(org), now=timezone.now())[1]

    token = in_thread(setup)
    url = f"{asgi_server.base_url}/feedback/s/{token}/"
    audit, page = Audit(phone, language), phone
    page.goto(url)
    audit.check("survey, empty")

    page.click("main button[type=submit]")
    page.wait_for_selector("#survey-errors")
    audit.check("survey, with errors")
    audit.expect(page.locator("#survey-errors").get_attribute("role") == "alert", "survey: the error summary is not role=alert")
    audit.expect(page.evaluate("document.activeElement.id") == "survey-errors", "survey: focus is not on the error summary")
    for field in ("process_length", "stability", "professionalism", "nps"):
        audit.expect(announced(page, f"#error-{field}"), f"survey: the error of {field} is not tied to its question")

    # By keyboard alone: Tab into each question, arrows choose within it, Tab on; type a comment; Enter submits.
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.name") != "process_length":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first choice
    page.keyboard.press("Tab")
    audit.expect(page.evaluate("document.activeElement.name") == "stability", "survey: Tab does not reach the next question")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")  # professionalism: 1 → 2
    page.keyboard.press("ArrowRight")  # → 3
    page.keyboard.press("Tab")
    for _ in range(9):  # nps: 0 → 9
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    audit.expect(page.evaluate("document.activeElement.name") == "comment", "survey: Tab does not reach the comment")
    page.keyboard.type("ok")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=survey-state]")
    audit.check("survey, done")
    answer = in_thread(lambda: SurveyResponse.objects.values_list("professionalism", "nps", "comment").first())
    audit.expect(answer == (3, 9, "ok"), f"survey: stored {answer}")

    page.goto(url)
    audit.check("survey, already answered")
    page.goto(f"{asgi_server.base_url}/feedback/s/not-a-token/")
    audit.check("survey, unknown link")
    audit.done()


# --- Portal ------------------------------------------------------------------------------------------------------


def test_portal_pages(asgi_server, phone, language, org, hr_admin):
    from hirelens.candidates import services as candidate_services
    from hirelens.portal.services import portal_link_create, portal_link_revoke, portal_url

    def setup():
        application = _application(org)
        candidate = application.candidate
        _slot(application, 2)
        candidate_services.project_save(candidate=candidate, actor=hr_admin, name="华东渠道拓展", results="项目营收 800万元")
        token = portal_link_create(actor=hr_admin, candidate=candidate)[1]
        revoked_link, revoked = portal_link_create(actor=hr_admin, candidate=candidate)
        portal_link_revoke(actor=hr_admin, link=revoked_link)
        expired_link, expired = portal_link_create(actor=hr_admin, candidate=candidate)
        type(expired_link).objects.filter(pk=expired_link.pk).update(expires_at=timezone.now() - timedelta(days=1))
        return [portal_url(t, absolute=False) for t in (token, revoked, expired)]

    home, revoked, expired = in_thread(setup)
    base = asgi_server.base_url
    audit, page = Audit(phone, language), phone
    page.goto(base + home)
    audit.check("portal, home")
    for section in ("profile", "projects", "documents"):
        page.goto(f"{base}{home}#{section}")
        audit.check(f"portal, {section}")
    page.click("[data-testid=portal-project] summary")
    page.click("[data-testid=portal-project-new] summary")
    audit.check("portal, project forms open")

    # a form with an error: the profile without a name
    page.fill("[data-testid=portal-profile] input[name=full_name]", "")
    page.evaluate("document.querySelector('[data-testid=portal-profile]').noValidate = true")
    page.click("[data-testid=portal-profile] button[type=submit]")
    page.wait_for_selector("[data-testid=portal-message]")
    audit.check("portal, profile with an error")
    audit.expect(announced(page, "[data-testid=portal-message]"), "portal: the error message is not announced")

    page.click("[data-testid=portal-book]")
    page.wait_for_selector("input[name=slot]")
    audit.check("portal, booking from the portal")

    for label, url in (("revoked", revoked), ("expired", expired), ("unknown", "/portal/not-a-token/")):
        page.goto(base + url)
        audit.check(f"portal, {label} link")
    audit.done()


# --- Help form ---------------------------------------------------------------------------------------------------


def test_help_form(asgi_server, phone, language, org):
    from hirelens.messaging.services.helpdesk import help_link_token

    token = in_thread(lambda: help_link_token(candidate=_application(org).candidate))
    audit, page = Audit(phone, language), phone
    page.goto(f"{asgi_server.base_url}/messaging/help/{token}/?page=/portal/x/")
    audit.check("help form, empty")
    page.evaluate("document.querySelector('main form').noValidate = true")
    page.fill("main textarea", " ")
    page.click("main button[type=submit]")
    page.wait_for_selector("main .msg-error")
    audit.check("help form, with an error")
    audit.expect(announced(page, "main .msg-error"), "help form: the error is not announced")
    page.fill("main textarea", "面试链接打不开")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=help-done]")
    audit.check("help form, sent")
    audit.done()


# --- Dead links and error pages ------------------------------------------------------------------------------------


def test_dead_links_and_error_pages(asgi_server, phone, language, org, hr_admin):
    from hirelens.interviews.services import _hash
    from hirelens.interviews.tests.factories import InterviewSessionFactory
    from hirelens.scheduling.links import link_issue, link_url
    from hirelens.scheduling.models import InterviewLink

    def setup():
        application = _application(org)
        revoked_link, revoked = link_issue(application=application, kind=InterviewLink.Kind.BOOKING)
        InterviewLink.objects.filter(pk=revoked_link.pk).update(revoked_at=timezone.now())
        expired_link, expired = link_issue(application=application, kind=InterviewLink.Kind.BOOKING)
        InterviewLink.objects.filter(pk=expired_link.pk).update(expires_at=timezone.now() - timedelta(days=1))
        InterviewSessionFactory(token_hash=_hash("a11y-revoked"), revoked_at=timezone.now())
        InterviewSessionFactory(token_hash=_hash("a11y-expired"), expires_at=timezone.now() - timedelta(days=1))
        return [link_url(t, absolute=False) for t in (revoked, expired)]

    revoked, expired = in_thread(setup)
    base = asgi_server.base_url
    audit, page = Audit(phone, language), phone
    for label, url in (("booking, revoked link", revoked), ("booking, expired link", expired),
                       ("booking, unknown link", "/scheduling/l/not-a-token/"),
                       ("AI interview, revoked link", "/i/a11y-revoked/"), ("AI interview, expired link", "/i/a11y-expired/"),
                       ("AI interview, unknown link", "/i/not-a-token/"), ("live, unknown link", "/live/join/not-a-token/"),
                       ("help form, unknown link", "/messaging/help/not-a-token/"), ("404", "/no-such-page/")):
        page.goto(base + url)
        audit.check(label)
    audit.done()


def test_error_templates(asgi_server, phone, language):
    """400, 403 and 500 come from Django's handlers (a browser cannot make the server fail on purpose): rendered
    here, shown in the page in place of our 404 (same origin, so its style sheet loads) and checked the same way."""
    from django.template.loader import render_to_string
    from django.utils import translation

    def render(name):
        with translation.override(language):
            return render_to_string(name)

    audit, page = Audit(phone, language), phone
    for name in ("400.html", "403.html", "403_csrf.html", "500.html"):
        html = in_thread(lambda name=name: render(name))
        page.goto(asgi_server.base_url + "/no-such-page/")
        page.set_content(html)
        audit.check(name)
    audit.done()


# --- Live interview (the candidate's side) -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def media_browser(playwright_session):
    chromium = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required"])
    yield chromium
    chromium.close()


def test_live_candidate_page(asgi_server, media_browser, language, org, hr_admin, interviewer):
    from hirelens.live.tests.room_setup import ensure_notices, live_interview

    def setup():
        ensure_notices()
        return live_interview(org, hr_admin, [interviewer])[1]

    token = in_thread(setup)
    context = phone_context(media_browser, asgi_server.base_url, language, permissions=["camera", "microphone"])
    page = context.new_page()
    audit = Audit(page, language)
    try:
        page.goto(f"{asgi_server.base_url}/live/join/{token}/")
        page.wait_for_selector("#consent-next")
        audit.check("live, consent")
        audit.expect(announced(page, "#consent-error"), "live: the consent error would not be announced")
        for box in page.locator("input[data-consent]").all():  # none is required in the live room
            box.check()
        page.click("#consent-next")
        page.wait_for_selector("#device-check", state="visible")
        wait_for_js(page, "document.querySelector('video#self-view').videoWidth > 0", timeout=15000)
        audit.expect(page.evaluate("document.activeElement.matches('#device-check h1')"), "live: focus is not on the device check's heading")
        audit.check("live, device check")
        page.click("#join-btn")
        page.wait_for_selector("#waiting", state="visible")
        wait_for_js(page, "document.querySelector('#connection-status').dataset.state === 'connected'", timeout=15000)
        audit.expect(page.evaluate("document.activeElement.matches('#waiting h1')"), "live: focus is not on the waiting room's heading")
        audit.check("live, waiting room")
    finally:
        context.close()
    audit.done()


def test_portal_upload_errors(asgi_server, phone, language, org, hr_admin, tmp_path):
    """A file of the wrong type and one over the size limit, as documents and as a resume: the reason is shown beside
    the upload forms, announced (role=alert) and focused, in the page's language; a good file is confirmed
    (role=status); axe finds nothing serious at each state."""
    from PIL import Image

    from hirelens.candidates.resume import MAX_DOCUMENT_BYTES
    from hirelens.portal.services import portal_link_create, portal_url

    token = in_thread(lambda: portal_link_create(actor=hr_admin, candidate=_application(org).candidate)[1])
    home = asgi_server.base_url + portal_url(token, absolute=False)
    wrong = tmp_path / "简历.pdf"
    wrong.write_text("这不是 PDF，只是一段文字。" * 20, encoding="utf-8")
    huge = tmp_path / "scan.pdf"
    with huge.open("wb") as out:
        out.write(b"%PDF-1.4\n")
        out.truncate(MAX_DOCUMENT_BYTES + 1024 * 1024)
    good = tmp_path / "degree.png"
    Image.new("RGB", (64, 48), (30, 90, 160)).save(good)
    en = language == "en"
    audit, page = Audit(phone, language), phone
    message = "[data-testid=portal-upload-message]"

    def upload(form: str, path, label: str, expected: str, *, error: bool = True) -> None:
        page.goto(home + "#documents")
        page.set_input_files(f"[data-testid={form}] input[type=file]", str(path))
        page.click(f"[data-testid={form}] button[type=submit]")
        page.wait_for_selector(message)
        text = page.locator(message).inner_text()
        audit.expect(expected in text, f"portal upload, {label}: {text!r} does not say {expected!r}")
        audit.expect(page.locator(message).get_attribute("role") == ("alert" if error else "status"),
                     f"portal upload, {label}: the message is not announced")
        if error:
            audit.expect(page.evaluate(f"document.activeElement.matches('{message}')"),
                         f"portal upload, {label}: focus is not on the error")
            audit.expect(page.locator("[data-testid=portal-message]").count() == 0,
                         f"portal upload, {label}: the error is also shown at the top of the page")
        audit.check(f"portal upload, {label}")

    upload("portal-document-form", wrong, "document of the wrong type",
           "Unsupported file type" if en else "不支持的文件类型")
    upload("portal-document-form", huge, "document too large", "too large" if en else "文件过大")
    upload("portal-resume-form", wrong, "resume of the wrong type", "Unsupported file type" if en else "不支持的文件类型")
    upload("portal-document-form", good, "document uploaded", "it will be reviewed" if en else "等待审核", error=False)
    audit.expect(page.locator("[data-testid=portal-document]").count() == 1, "portal upload: the good file is not listed")
    audit.done()
