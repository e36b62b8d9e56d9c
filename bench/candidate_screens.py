"""Screenshots of every page a candidate sees, for review at phone size (390x844), in zh and en (issue 19).

    .venv/bin/python bench/candidate_screens.py                  # PNGs under $HIRELENS_VAR_DIR/screens (or var/screens)
    .venv/bin/python bench/candidate_screens.py /tmp/screens --lang en

Same set-up as bench/candidate_walk.py (own var dir and SQLite database, one uvicorn, Debian Chromium with a fake
camera and microphone). Writes one full-page PNG per screen, named <lang>-<nn>-<screen>.png:
every AI-interview step (welcome, consent, device check, practice, a question before/while/after recording, review,
done), the "open in the system browser" notice (WeChat's user agent, no recording APIs), the candidate portal,
booking (offered times, booked), the satisfaction survey (empty and with errors), the help desk's page, the live
room's candidate page, the live interview's link page and a booking refused through it, and the dead links (interview link expired, withdrawn, unknown; portal and booking links
unknown). A screen that cannot be reached is reported and skipped; the others are still written.

Chinese text needs a CJK font in the machine's fontconfig (Debian: fonts-wqy-microhei or fonts-noto-cjk); without
one the zh screens show empty boxes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from candidate_walk import CHROMIUM, CHROMIUM_ARGS, Walk  # noqa: E402

WECHAT_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/{lang}")
NO_RECORDING = "delete window.MediaRecorder; delete Navigator.prototype.mediaDevices;"


class Screens(Walk):
    def __init__(self, args):
        super().__init__(args)
        self.out = Path(args.folder)
        self.out.mkdir(parents=True, exist_ok=True)
        self.written, self.failed = [], []

    def context(self, browser, lang, **extra):
        context = browser.new_context(locale="zh-CN" if lang == "zh" else "en-GB", viewport={"width": 390, "height": 844},
                                      is_mobile=True, has_touch=True, permissions=["camera", "microphone"], **extra)
        if lang == "en":
            context.add_cookies([{"name": "django_language", "value": "en", "url": self.base}])
        return context

    def shot(self, page, lang, name):
        self.n += 1
        page.wait_for_timeout(300)  # transitions and live regions settle
        path = self.out / f"{lang}-{self.n:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.written.append(path)

    def attempt(self, lang, name, fn):
        try:
            fn()
        except Exception as error:  # noqa: BLE001 - report the screen, go on with the others
            self.failed.append(f"{lang} {name}: {str(error).splitlines()[0][:200]}")

    # --- the AI interview -----------------------------------------------------------------------------------------

    def interview(self, browser, lang):
        session, token = off_loop(lambda: self.invitation(lang))
        context = self.context(browser, lang)
        page = context.new_page()
        page.goto(f"{self.base}/i/{token}/")
        page.wait_for_selector("[data-testid=begin]", state="visible")
        self.shot(page, lang, "interview-welcome")
        page.click("[data-testid=begin]")
        page.wait_for_selector("[data-testid=consent-continue]", state="visible")
        self.shot(page, lang, "interview-consent")
        page.click("[data-testid=consent-continue]")  # nothing ticked: the refusal
        page.wait_for_selector("[data-testid=error]", state="visible")
        self.shot(page, lang, "interview-consent-refused")
        page.check("[data-testid=consent-recording]")
        page.check("[data-testid=consent-ai_analysis]")
        page.click("[data-testid=consent-continue]")
        page.wait_for_selector("[data-testid=device-continue]:not([disabled])", timeout=60000)
        page.wait_for_timeout(1500)  # the speed test's figure
        self.shot(page, lang, "interview-device")
        page.click("[data-testid=device-continue]")
        page.wait_for_selector("[data-testid=start-answer]", state="visible")
        self.shot(page, lang, "interview-practice-prep")
        page.click("[data-testid=start-answer]")
        page.wait_for_selector("[data-testid=stop-answer]", state="visible")
        page.wait_for_timeout(2500)
        self.shot(page, lang, "interview-practice-recording")
        page.click("[data-testid=stop-answer]")
        page.wait_for_selector("[data-testid=next]", state="visible")
        self.shot(page, lang, "interview-practice-done")
        page.click("[data-testid=next]")
        for i in range(len(session.questions)):
            page.wait_for_selector("[data-testid=start-answer]", state="visible")
            if i == 0:
                self.shot(page, lang, "interview-question-prep")
            page.click("[data-testid=start-answer]")
            page.wait_for_selector("[data-testid=stop-answer]", state="visible")
            page.wait_for_timeout(2500)
            if i == 0:
                self.shot(page, lang, "interview-question-recording")
            page.click("[data-testid=stop-answer]")
            page.wait_for_selector("[data-testid=next]", state="visible")
            if i == 0:
                self.shot(page, lang, "interview-question-done")
            page.click("[data-testid=next]")
        page.wait_for_selector("[data-testid=step-review]", state="visible")
        self.shot(page, lang, "interview-review")
        page.wait_for_selector("[data-testid=submit]:not([disabled])", timeout=60000)
        page.click("[data-testid=submit]")
        page.wait_for_selector("[data-testid=step-done]", state="visible")
        self.shot(page, lang, "interview-done")
        help_href = page.get_attribute("[data-testid=report-problem]", "href")
        context.close()
        if help_href:
            context = self.context(browser, lang)
            page = context.new_page()
            page.goto(self.base + help_href)
            self.shot(page, lang, "help-desk")
            context.close()

    def wechat_notice(self, browser, lang):
        _session, token = off_loop(lambda: self.invitation(lang))
        context = self.context(browser, lang, user_agent=WECHAT_UA.format(lang="zh_CN" if lang == "zh" else "en"))
        context.add_init_script(NO_RECORDING)
        page = context.new_page()
        page.goto(f"{self.base}/i/{token}/")
        page.wait_for_selector("[data-testid=inapp-notice]", state="visible")
        self.shot(page, lang, "wechat-cannot-record")
        context.close()

    def dead_interview_links(self, browser, lang):
        from hirelens.interviews.services import session_revoke

        def setup():
            expired, expired_token = self.invitation(lang)
            expired.expires_at = timezone_now() - timedelta(days=1)
            expired.save(update_fields=["expires_at"])
            revoked, revoked_token = self.invitation(lang)
            session_revoke(actor=self.hr, session=revoked)
            return expired_token, revoked_token

        expired_token, revoked_token = off_loop(setup)
        for name, path in [("interview-link-expired", f"/i/{expired_token}/"), ("interview-link-withdrawn", f"/i/{revoked_token}/"),
                           ("interview-link-unknown", "/i/no-such-link-token/"), ("portal-link-unknown", "/portal/no-such-link-token/"),
                           ("booking-link-unknown", "/scheduling/l/no-such-link-token/")]:
            self.attempt(lang, name, lambda name=name, path=path: self.page_at(browser, lang, name, path))

    def page_at(self, browser, lang, name, path):
        context = self.context(browser, lang)
        page = context.new_page()
        page.goto(self.base + path)
        self.shot(page, lang, name)
        context.close()

    # --- portal, booking, survey, live room ------------------------------------------------------------------------

    def portal_and_booking(self, browser, lang):
        from zoneinfo import ZoneInfo

        from hirelens.candidates.models import Application
        from hirelens.portal.services import portal_link_create, portal_url
        from hirelens.scheduling import services

        def setup():
            session, _token = self.invitation(lang)
            application = Application.objects.get(pk=session.application_id)
            position = application.position
            position.time_zone = "Asia/Shanghai"
            position.save(update_fields=["time_zone"])
            day = (timezone_now().astimezone(ZoneInfo("Asia/Shanghai")) + timedelta(days=3)).date()
            for hour in (10, 14):  # wall-clock times in the position's zone, as instants (the service takes aware times)
                start = datetime.combine(day, time(hour), tzinfo=ZoneInfo("Asia/Shanghai"))
                services.slot_create(actor=self.hr, position=position, start=start, end=start + timedelta(hours=1),
                                     interviewers=[self.interviewer(position)])
            return portal_link_create(actor=self.hr, candidate=application.candidate, days=7)[1]

        token = off_loop(setup)
        context = self.context(browser, lang)
        page = context.new_page()
        page.goto(self.base + portal_url(token, absolute=False))
        self.shot(page, lang, "portal")
        page.click("[data-testid=portal-book]")
        page.wait_for_selector("input[name=slot]")
        self.shot(page, lang, "booking-offered")
        page.check("input[name=slot] >> nth=0")
        page.click("[data-testid=book]")
        page.wait_for_selector("[data-testid=link-ics]")
        self.shot(page, lang, "booking-booked")
        page.goto(self.base + portal_url(token, absolute=False))
        self.shot(page, lang, "portal-after-booking")
        context.close()

    def interviewer(self, position):
        from hirelens.accounts.models import User
        from hirelens.positions.models import PositionAssignment

        user, _ = User.objects.get_or_create(email=f"interviewer-{position.pk}@bench-walk.local",
                                             defaults={"full_name": "张伟", "organization": position.organization, "role": "interviewer"})
        PositionAssignment.objects.get_or_create(organization=position.organization, position=position, user=user,
                                                 defaults={"role": "interviewer"})
        return user

    def survey(self, browser, lang):
        from hirelens.candidates.models import Application
        from hirelens.feedback.services import survey_send

        def setup():
            session, _token = self.invitation(lang)
            application = Application.objects.get(pk=session.application_id)
            return survey_send(application=application, now=timezone_now())[1]

        token = off_loop(setup)
        context = self.context(browser, lang)
        page = context.new_page()
        page.goto(f"{self.base}/feedback/s/{token}/")
        self.shot(page, lang, "survey")
        page.click("form button[type=submit] >> nth=-1")
        page.wait_for_load_state()
        self.shot(page, lang, "survey-errors")
        context.close()

    def live_room(self, browser, lang):
        from zoneinfo import ZoneInfo

        from hirelens.candidates.models import Application
        from hirelens.live.services import room_for_interview
        from hirelens.scheduling import services
        from hirelens.scheduling.links import link_issue
        from hirelens.scheduling.models import InterviewLink

        def setup():
            session, _token = self.invitation(lang)
            application = Application.objects.get(pk=session.application_id)
            start = (timezone_now() + timedelta(minutes=10)).astimezone(ZoneInfo("Asia/Shanghai"))
            interview = services.interview_schedule(
                actor=self.hr, application=application, start=start.replace(second=0, microsecond=0),
                end=(start + timedelta(hours=1)).replace(second=0, microsecond=0), interviewers=[self.interviewer(application.position)],
                time_zone="Asia/Shanghai")
            room_for_interview(interview=interview)
            return link_issue(application=application, interview=interview, kind=InterviewLink.Kind.CANDIDATE)[1]

        token = off_loop(setup)
        self.page_at(browser, lang, "live-room-consent", f"/live/join/{token}/")
        self.attempt(lang, "interview-link-page", lambda: self.interview_link_page(browser, lang, token))

    def interview_link_page(self, browser, lang, token):
        """The live interview's link page (when, how to join), then a booking sent through that link: the booking
        page's "kind" refusal (what the link is for, its own page, "need help?")."""
        context = self.context(browser, lang)
        page = context.new_page()
        page.goto(f"{self.base}/scheduling/l/{token}/")
        self.shot(page, lang, "interview-link-page")
        with page.expect_navigation():
            page.evaluate("""() => {
              const form = Object.assign(document.createElement('form'), { method: 'post', action: location.pathname });
              for (const [name, value] of [['csrfmiddlewaretoken', document.querySelector('meta[name=csrf-token]').content], ['slot', '1']]) {
                form.appendChild(Object.assign(document.createElement('input'), { type: 'hidden', name, value }));
              }
              document.body.appendChild(form);
              form.submit();
            }""")
        page.wait_for_selector("[data-testid=link-error][data-code=kind]")
        self.shot(page, lang, "booking-through-interview-link")
        context.close()

    def run(self) -> None:
        from playwright.sync_api import sync_playwright

        from hirelens.accounts.models import User
        from hirelens.interviews.models import ConsentNotice
        from hirelens.interviews.notices import ensure_platform_notices
        from hirelens.interviews.sample_media import speech_wav, y4m_file

        ensure_platform_notices(ConsentNotice)
        self.invitation("zh")  # creates the organization and its HR admin
        self.hr = User.objects.get(email="hr@bench-walk.local")
        media = self.var / "media"
        media.mkdir(exist_ok=True)
        video, audio = y4m_file(media / "camera.y4m"), speech_wav(media / "mic.wav")
        args = CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                                f"--use-file-for-fake-video-capture={video}", f"--use-file-for-fake-audio-capture={audio}"]
        self.start_server()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
                for lang in self.args.lang:
                    self.n = 0
                    for name in ("interview", "wechat_notice", "dead_interview_links", "portal_and_booking", "survey", "live_room"):
                        self.attempt(lang, name, lambda name=name, lang=lang: getattr(self, name)(browser, lang))
                browser.close()
        finally:
            self.server.terminate()
            self.server.wait()
            if not self.args.keep:
                shutil.rmtree(self.var, ignore_errors=True)
        print(f"{len(self.written)} screenshots in {self.out}")
        for path in self.written:
            print(f"  {path.name}")
        if self.failed:
            print("not captured:")
            for line in self.failed:
                print(f"  {line}")


def off_loop(fn):
    """Run set-up (ORM and services) outside the thread of Playwright's event loop: services publish live events with
    async_to_sync, which refuses to run beside a running loop."""
    import threading

    from django.db import connection

    out, errors = [], []

    def run():
        try:
            out.append(fn())
        except BaseException as error:  # noqa: BLE001 - raised again in the caller
            errors.append(error)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    return out[0]


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = Path(os.environ.get("HIRELENS_VAR_DIR") or Path(__file__).resolve().parents[1] / "var") / "screens"
    parser.add_argument("folder", nargs="?", default=str(default), help=f"where the PNGs go (default {default})")
    parser.add_argument("--lang", choices=["zh", "en"], action="append", help="repeatable; default zh and en")
    parser.add_argument("--keep", action="store_true", help="keep the bench var dir (database, uvicorn.log)")
    args = parser.parse_args()
    args.lang = args.lang or ["zh", "en"]
    Screens(args).run()


if __name__ == "__main__":
    main()
