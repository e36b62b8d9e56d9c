"""In Chromium, under the Content-Security-Policy the server sends: every page HR can reach from the dashboard
(a crawl over the demo organization), the candidate's interview (camera preview, recording, upload), the booking
page and the candidate portal load with no policy violation and no script error, and still work."""

import io
import re
import threading
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from conftest import CHROMIUM, CHROMIUM_ARGS, wait_for_js
from hirelens.core.demo import DEMO_PASSWORD
from hirelens.interviews.sample_media import speech_wav, y4m_file

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Collected before any page script runs (an init script is not subject to the page's policy).
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));
"""
# Downloads, exports and files are not pages; logout and language are forms, not links.
SKIP = re.compile(r"/(export|pdf|media|resume|file|download|i18n|api|static|jsi18n|logout)\b|\.(pdf|ics|xlsx|csv|zip)\b")
MAX_PAGES = 90


class Watch:
    def __init__(self, page):
        self.page, self.problems = page, []
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

    def visit(self, url):
        response = self.page.goto(url, wait_until="load")
        self.settle()
        return response

    def settle(self):
        self.page.wait_for_timeout(150)  # Alpine and HTMX start on DOMContentLoaded; give deferred work a moment
        self.problems += [f"CSP {v}" for v in self.page.evaluate("window.__violations || []")]
        self.page.evaluate("window.__violations = []")

    def check(self, where):
        problems, self.problems = self.problems, []
        assert problems == [], f"{where}: {problems}"


def _pattern(href):
    parts = urlsplit(href)
    return re.sub(r"\d+", "N", parts.path) + ("?" + re.sub(r"\d+", "N", parts.query) if "tab=" in parts.query else "")


@pytest.fixture
def demo(transactional_db):
    """The demo organization, loaded in a thread of its own: Playwright's event loop runs in this one, and the
    demo's live events would refuse to publish from it."""
    from hirelens.interviews.models import ConsentNotice
    from hirelens.interviews.notices import ensure_platform_notices

    ensure_platform_notices(ConsentNotice)  # a transactional test before this one flushed what the migration wrote
    out = io.StringIO()
    worker = threading.Thread(target=lambda: call_command("load_demo", stdout=out))
    worker.start()
    worker.join()
    text = out.getvalue()
    links = {"portal": re.search(r"https?://[^/\s]+(/portal/\S+/)", text).group(1),
             "booking": re.search(r"booking link https?://[^/\s]+(/scheduling/l/\S+/)", text).group(1)}
    return links


def test_staff_pages_under_the_policy(asgi_server, browser, demo):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.add_init_script(WATCH)
    page = context.new_page()
    watch = Watch(page)
    base = asgi_server.base_url
    watch.visit(base + "/accounts/login/")
    page.fill("#id_username", "admin@demo.hirelens.local")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].btn")
    page.wait_for_selector("[data-testid=dashboard-title]")
    watch.settle()
    watch.check("login")

    # Alpine (its CSP build) still runs the phone menu; the events WebSocket connects (connect-src).
    assert not page.locator("#main-nav").is_visible()
    page.click(".menu-toggle")
    assert page.locator("#main-nav").is_visible()
    wait_for_js(page, "document.body.dataset.live === '1'")

    seen, queue, visited, failed = set(), ["/"], [], []
    while queue and len(visited) < MAX_PAGES:
        href = queue.pop(0)
        if _pattern(href) in seen:
            continue
        seen.add(_pattern(href))
        response = watch.visit(base + href)
        visited.append(href)
        if response.status >= 400:
            failed.append((href, response.status))
            watch.problems = [p for p in watch.problems if "Failed to load resource" not in p]  # the document itself
        watch.check(href)
        for link in page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"):  # resolved
            parts = urlsplit(link)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if f"{parts.scheme}://{parts.netloc}" != base or SKIP.search(path):
                continue
            queue.append(path)
    assert failed == []
    assert len(visited) >= 30, visited  # dashboard, positions, candidates, boards, interviews, evaluations, messaging…
    patterns = {_pattern(h) for h in visited}
    for expected in ["/analytics/", "/candidates/N/", "/candidates/N/?tab=resume", "/interviews/N/", "/messaging/helpdesk/",
                     "/processes/position/N/board/", "/audit/", "/accounts/users/"]:
        assert expected in patterns, sorted(patterns)

    # The API documentation: Swagger UI from django-ninja's own static files (its CDN page would be refused).
    watch.visit(base + "/api/v1/docs")
    page.wait_for_selector(".opblock")
    watch.check("API docs")

    # Charts (ECharts from static files) are drawn.
    watch.visit(base + "/analytics/")
    page.wait_for_selector("#chart-funnel[data-ready='1']")
    assert page.locator("#chart-funnel canvas").count() == 1
    watch.check("analytics charts")
    context.close()


def test_candidate_pages_under_the_policy(asgi_server, playwright_session, tmp_path, demo):
    video, audio = y4m_file(tmp_path / "camera.y4m"), speech_wav(tmp_path / "mic.wav")
    args = CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                            f"--use-file-for-fake-video-capture={video}", f"--use-file-for-fake-audio-capture={audio}"]
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, permissions=["camera", "microphone"])
    context.add_init_script(WATCH)
    page = context.new_page()
    watch = Watch(page)
    base = asgi_server.base_url
    try:
        # The interview: consent, camera preview (a MediaStream in <video>), the practice, a recorded answer, uploaded.
        watch.visit(f"{base}/i/demo-emily-2026/")
        page.click("[data-testid=begin]")
        for box in page.locator("input[data-testid^=consent-]").all():  # the checkboxes (not the choice link)
            box.check()
        page.click("[data-testid=consent-continue]")
        page.wait_for_selector("[data-testid=device-continue]:not([disabled])", timeout=30000)
        assert page.evaluate("document.querySelector('video.preview').srcObject instanceof MediaStream")
        page.click("[data-testid=device-continue]")
        for step in ("practice", "question 1"):  # the practice is not kept: "all uploaded" speaks of the first answer
            page.click("[data-testid=start-answer]")
            page.wait_for_timeout(2500)
            page.click("[data-testid=stop-answer]")
            page.wait_for_selector("[data-testid=next]", state="visible", timeout=20000)
            if step == "practice":
                page.click("[data-testid=next]")
        wait_for_js(page, "document.querySelector('[data-testid=upload-status]').textContent === '已全部上传'", timeout=20000)
        watch.settle()
        watch.check("interview")

        watch.visit(base + demo["booking"])
        assert page.evaluate("document.cookie").find("hl_tz=") >= 0  # the time-zone script (a static file) ran
        watch.check("booking")

        watch.visit(base + demo["portal"])
        page.wait_for_selector("main.portal")
        watch.check("portal")
    finally:
        context.close()
        browser.close()
