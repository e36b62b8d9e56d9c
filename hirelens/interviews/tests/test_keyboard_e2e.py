"""Issue 19, "everything works by keyboard alone": the whole AI interview on a phone in Chromium, from the candidate's
link to the submitted interview, with the keyboard only (Tab, Shift+Tab, Enter, Space: no click, no fill).

At every step: focus lands on the new step's heading; the step's primary action is reached by Tab from there within
a few presses; every element the focus passes shows it (a computed outline or box-shadow) and is on screen; Tab goes
on past the interview to the top of the page and round again (no focus trap). The answers recorded this way are
stored (the database's rows) and the interview is submitted."""

import pytest

from conftest import in_thread, wait_for_js

from .test_candidate_e2e import TOKEN, _session, _stored_duration, media_browser  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
MAX_TABS_TO_ACTION = 6  # from the step's heading to its primary action
MAX_TABS_ROUND = 40  # a whole round of the page, back to where it started
QUESTIONS = [{"text": "请介绍一次团队协作的经历。", "prep_s": 60, "answer_s": 30, "retakes": 0},
             {"text": "客户拒绝签约时你会怎么做？", "prep_s": 60, "answer_s": 30, "retakes": 0}]

# the practice take is checked, never "saved" (it is not kept); "next" says where it goes
WORDS = {
    "zh-hans": {"practice": "声音正常（练习录像不保存）", "saved": "已保存", "to_questions": "开始正式答题", "next": "下一题",
                "to_review": "答完了，去提交"},
    "en": {"practice": "the sound works (the practice recording is not kept)", "saved": "saved",
           "to_questions": "Start the interview questions", "next": "Next question", "to_review": "All answered: go to submit"},
}
WORDS_RETAKE = {"zh-hans": "重录", "en": "Retake"}
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = () => {
    // what the outline is drawn on: the page just outside it (a point beside the element), its painted background
    const gap = parseFloat(style.outlineOffset || 0) + parseFloat(style.outlineWidth || 0) + 2;
    const points = [[box.left - gap, box.top + box.height / 2], [box.left + box.width / 2, box.top - gap],
                    [box.right + gap, box.top + box.height / 2], [box.left + box.width / 2, box.bottom + gap]];
    for (const [x, y] of points) {
      if (x < 0 || y < 0 || x >= window.innerWidth || y >= window.innerHeight) continue;
      let under = document.elementsFromPoint(x, y).find((e) => e !== el && !el.contains(e));
      while (under) {
        const color = rgb(getComputedStyle(under).backgroundColor);
        if (color.length === 3 || (color.length === 4 && color[3] > 0.5)) return color.slice(0, 3);
        under = under.parentElement;
      }
      return [255, 255, 255];
    }
    return null;
  };
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  let contrast = null;
  if (outline && style.outlineStyle !== 'auto') {  // 'auto': the browser's own two-tone focus ring
    const ground = behind();
    if (ground) {
      const [a, b] = [luminance(rgb(style.outlineColor)), luminance(ground)].sort((x, y) => y - x);
      contrast = Math.round(((a + 0.05) / (b + 0.05)) * 100) / 100;
    }
  }
  return {
    name: el.getAttribute('data-testid') || (el.className === 'skip' ? 'skip' : '')
          || (el.tagName === 'SUMMARY' && el.parentElement.getAttribute('data-testid'))
          || (el.tagName.toLowerCase() + ':' + (el.innerText || el.value || '').trim().slice(0, 30)),
    outline, contrast, color: style.outlineColor,
    shadow: style.boxShadow !== 'none' && style.boxShadow !== '',
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
              && box.top < window.innerHeight && box.left < window.innerWidth,
  };
}"""


def _focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def _matches(page, selector: str) -> bool:
    return page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector)


def _assert_visible_focus(info: dict, where: str) -> None:
    assert info["outline"] or info["shadow"], f"{where}: the focus on {info['name']} cannot be seen (no outline, no box-shadow)"
    assert info["onScreen"], f"{where}: the focused {info['name']} is off screen"
    # WCAG 2.1 1.4.11: the focus indicator stands out from what is around it by 3:1 at least
    assert info["contrast"] is None or info["contrast"] >= 3, \
        f"{where}: the focus outline of {info['name']} ({info['color']}) has {info['contrast']}:1 against the page behind it"


def _on_heading(page, step: str) -> None:
    """Focus is on the new step's h1 (where a screen reader starts reading), and it shows."""
    heading = f"[data-testid=step-{step}] h1"
    wait_for_js(page, f"document.activeElement === document.querySelector('{heading}')", timeout=15000)
    _assert_visible_focus(_focused(page), f"heading of {step}")


def _tab_to(page, selector: str, where: str, *, limit: int = MAX_TABS_TO_ACTION) -> int:
    """Tab until ``selector`` has the focus; every stop on the way shows its focus. The number of presses."""
    trail = []
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        info = _focused(page)
        if info is not None:
            trail.append(info["name"])
            _assert_visible_focus(info, where)
        if _matches(page, selector):
            return presses
    raise AssertionError(f"{where}: {selector} not reached in {limit} Tab presses; the focus went {trail}")


def _round(page, selector: str, where: str) -> list[str]:
    """From the focused primary action, Tab on: the focus must leave the interview, reach the top of the page (the
    skip link) and come back to the same action: the page holds no trap. Shift+Tab goes back by one."""
    stops = []
    for _ in range(MAX_TABS_ROUND):
        page.keyboard.press("Tab")
        info = _focused(page)
        if info is not None:
            stops.append(info["name"])
            _assert_visible_focus(info, where)
        if _matches(page, selector):
            break
    else:
        raise AssertionError(f"{where}: Tab never came back to {selector}; the focus went {stops}")
    assert "skip" in stops, f"{where}: the focus never reached the top of the page: {stops}"
    assert "help" in stops, f"{where}: the help ('need help?') is not reachable by keyboard: {stops}"
    page.keyboard.press("Shift+Tab")
    assert not _matches(page, selector), f"{where}: Shift+Tab does not move the focus off {selector}"
    page.keyboard.press("Tab")
    assert _matches(page, selector), f"{where}: Tab after Shift+Tab did not return to {selector}"
    return stops


def _help_by_keyboard(page, where: str) -> None:
    """"Need help?" opens with Enter on its summary, its "report a problem" link is the next Tab stop, and it closes
    again with Enter (focus back on the summary by Shift+Tab)."""
    _tab_to(page, "[data-testid=help] summary", where, limit=MAX_TABS_ROUND)
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('[data-testid=help]').open")
    _tab_to(page, "[data-testid=report-problem]", f"{where}, help", limit=1)
    page.keyboard.press("Shift+Tab")
    assert _matches(page, "[data-testid=help] summary")
    page.keyboard.press("Enter")
    assert not page.evaluate("document.querySelector('[data-testid=help]').open")


def _answer_by_keyboard(page, label: str, key: str, *, words: tuple[str, str] | None = None) -> None:
    """A question: from its heading, Tab to "start answering", start with ``key``; the focus goes to "finish",
    which ``key`` presses after a short answer; then the focus is on "next"."""
    _on_heading(page, "question")
    _tab_to(page, "[data-testid=start-answer]", f"{label}, preparation")
    _round(page, "[data-testid=start-answer]", f"{label}, preparation")
    page.keyboard.press(key)
    page.wait_for_selector("[data-testid=stop-answer]", state="visible")
    wait_for_js(page, "document.activeElement === document.querySelector('[data-testid=stop-answer]')")
    _assert_visible_focus(_focused(page), f"{label}, recording")
    page.wait_for_timeout(2600)
    page.keyboard.press(key)
    page.wait_for_selector("[data-testid=next]", state="visible")
    wait_for_js(page, "document.activeElement === document.querySelector('[data-testid=next]')")
    _assert_visible_focus(_focused(page), f"{label}, recorded")
    if words:  # what the page says after the take, and where "next" goes, in words
        recorded, onward = words
        page.wait_for_selector(f"[data-testid=recorded]:has-text('{recorded}')", timeout=15000)
        assert page.inner_text("[data-testid=next]") == onward
        if label == "practice":  # the practice may be recorded again as often as wished: no count
            assert page.inner_text("[data-testid=retake]") == WORDS_RETAKE[page.evaluate("document.documentElement.lang")]
    _round(page, "[data-testid=next]", f"{label}, recorded")
    page.keyboard.press(key)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_whole_interview_by_keyboard_alone(asgi_server, media_browser, org, language):  # noqa: F811
    def setup():
        session = _session(org)
        session.questions = QUESTIONS
        session.language = language
        session.save()
        return session

    session = in_thread(setup)
    context = media_browser.new_context(locale="zh-CN" if language == "zh-hans" else "en-US",
                                        viewport={"width": 390, "height": 844}, permissions=["camera", "microphone"])
    page = context.new_page()
    try:
        page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
        page.wait_for_selector("[data-testid=step-welcome]", state="visible")
        _on_heading(page, "welcome")
        _tab_to(page, "[data-testid=begin]", "welcome")
        _round(page, "[data-testid=begin]", "welcome")
        _help_by_keyboard(page, "welcome")
        _tab_to(page, "[data-testid=begin]", "welcome", limit=MAX_TABS_ROUND)
        page.keyboard.press("Enter")

        _on_heading(page, "consent")
        version = {"zh-hans": "第 2 版", "en": "Version 2"}[language]  # the notice's version in words, not "v1"
        assert page.locator("[data-testid=step-consent] small.muted", has_text=version).count() >= 2
        _tab_to(page, "[data-testid=consent-recording]", "consent")
        page.keyboard.press("Space")
        _tab_to(page, "[data-testid=consent-ai_analysis]", "consent")
        page.keyboard.press("Space")
        assert page.is_checked("[data-testid=consent-recording]") and page.is_checked("[data-testid=consent-ai_analysis]")
        _tab_to(page, "[data-testid=consent-continue]", "consent")
        _round(page, "[data-testid=consent-continue]", "consent")
        page.keyboard.press("Enter")

        _on_heading(page, "device")
        page.wait_for_selector("[data-testid=device-continue]:not([disabled])")  # the microphone was heard
        _tab_to(page, "[data-testid=device-continue]", "device check")
        _round(page, "[data-testid=device-continue]", "device check")
        page.keyboard.press("Enter")

        page.wait_for_selector("[data-testid=step-question]", state="visible")
        words = WORDS[language]
        _answer_by_keyboard(page, "practice", "Enter", words=(words["practice"], words["to_questions"]))
        _answer_by_keyboard(page, "question 1", "Space", words=(words["saved"], words["next"]))
        _answer_by_keyboard(page, "question 2", "Enter", words=(words["saved"], words["to_review"]))

        _on_heading(page, "review")
        page.wait_for_selector("[data-testid=submit]:not([disabled])", timeout=60000)  # every piece uploaded
        _tab_to(page, "[data-testid=submit]", "review")
        _round(page, "[data-testid=submit]", "review")
        page.keyboard.press("Enter")

        _on_heading(page, "done")
        _tab_to(page, "[data-testid=self-identify-link]", "done")
        _tab_to(page, "[data-testid=explanation-link]", "done")
        _round(page, "[data-testid=explanation-link]", "done")
    finally:
        context.close()

    def stored():
        session.refresh_from_db()
        rows = {a.question_index: a for a in session.answers.filter(status="complete")}
        return session.state, {i: _stored_duration(a) for i, a in rows.items() if i >= 0}

    state, answers = in_thread(stored)
    assert state == "submitted"
    assert set(answers) == {0, 1}, answers
    for index, (duration, kinds) in answers.items():
        assert kinds == {"video", "audio"} and duration >= 1.5, (index, duration, kinds)


def test_an_interrupted_take_is_kept_by_keyboard_alone(asgi_server, media_browser, org):  # noqa: F811
    """A reload mid-answer: back at the question, the focus is on its heading, the choice (continue / keep / record
    again) is reached by Tab, "keep" is taken with Enter, and the take is stored without using a retake."""
    def setup():
        session = _session(org)
        session.questions = QUESTIONS[:1]
        session.practice_question = ""
        session.save()
        return session

    session = in_thread(setup)
    context = media_browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, permissions=["camera", "microphone"])
    page = context.new_page()
    try:
        page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
        _on_heading(page, "welcome")
        _tab_to(page, "[data-testid=begin]", "welcome")
        page.keyboard.press("Enter")
        _on_heading(page, "consent")
        _tab_to(page, "[data-testid=consent-recording]", "consent")
        page.keyboard.press("Space")
        _tab_to(page, "[data-testid=consent-continue]", "consent")
        page.keyboard.press("Enter")
        _on_heading(page, "device")
        page.wait_for_selector("[data-testid=device-continue]:not([disabled])")
        _tab_to(page, "[data-testid=device-continue]", "device check")
        page.keyboard.press("Enter")
        _on_heading(page, "question")
        _tab_to(page, "[data-testid=start-answer]", "question")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-testid=stop-answer]", state="visible")
        page.wait_for_timeout(4500)
        page.reload()  # the take is cut; its pieces are in IndexedDB

        page.wait_for_selector("[data-testid=keep-interrupted]", state="visible", timeout=15000)
        _on_heading(page, "question")
        first = _tab_to(page, "[data-testid=continue-interrupted], [data-testid=keep-interrupted]", "interrupted take")
        assert first <= 2
        _tab_to(page, "[data-testid=record-again]", "interrupted take")
        _round(page, "[data-testid=record-again]", "interrupted take")
        page.keyboard.press("Shift+Tab")
        assert _matches(page, "[data-testid=keep-interrupted]")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-testid=next]", state="visible", timeout=15000)
        wait_for_js(page, "document.activeElement === document.querySelector('[data-testid=next]')")
        page.keyboard.press("Enter")
        _on_heading(page, "review")
        page.wait_for_selector("[data-testid=submit]:not([disabled])", timeout=60000)
        _tab_to(page, "[data-testid=submit]", "review")
        page.keyboard.press("Enter")
        _on_heading(page, "done")
    finally:
        context.close()

    def stored():
        session.refresh_from_db()
        return session.state, list(session.answers.filter(status="complete").values_list("question_index", "attempt", "duration_s"))

    state, rows = in_thread(stored)
    assert state == "submitted"
    assert len(rows) == 1 and rows[0][0] == 0 and rows[0][1] == 1 and rows[0][2] >= 2, rows  # kept, no retake used
