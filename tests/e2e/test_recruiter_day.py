"""A recruiter's whole day by name, in Debian's Chromium, in Chinese and in English (issue 16, "done means").

The recruiter works from London for a position in Beijing. She imports candidates from a spreadsheet, searches
"伟", opens 刘伟's record, uploads his resume and accepts what was parsed from it; the resume's phone number shows
that 刘伟 was already on file, so she merges the two records; she sends him the position's AI video interview
(the e-mail arrives); she schedules a live interview in London time for an interviewer who works in Beijing (his
e-mail says 北京时间); after the interviewer's scorecard she records the decision, and sees that the result was
sent to the candidate. Every step goes through the pages a person uses, and a real worker delivers the messages; the
database is only read, never written, except for what another person does (the interviewer's scorecard)."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from conftest import SMTPSink, in_thread, staff_login
from hirelens.core.testing import shows_id_reference
from hirelens.core.timezones import when_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh": {"locale": "zh-CN", "london": "伦敦时间", "sent": "发送给候选人", "merged": "已合并"},
    "en": {"locale": "en-GB", "london": "London time", "sent": "sent to the candidate", "merged": "merged"},
}
CSV = "姓名,邮箱,应聘职位\n刘伟,liu.wei@example.com,数据工程师\n陈伟,chen.wei@example.com,数据工程师\n王芳,wang.fang@example.com,数据工程师\n"
RESUME = ["刘伟", "电话：139-1234-5678 | 邮箱：liu.wei@example.com", "教育背景", "2012.09-2016.06 北京邮电大学 计算机科学与技术 本科",
          "工作经历", "2019.07-至今 字节跳动 数据工程师", "2016.07-2019.06 华润万家 IT 工程师",
          "项目经历", "实时数仓建设 2020.03-2021.12", "角色：技术负责人", "· 查询耗时降低 60%", "技能", "Python, Spark, SQL"]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_recruiters_day_by_name(language, smtp_server, asgi_server, start_worker, browser, org, hr_admin, recruiter, interviewer,
                                  tmp_path):
    from hirelens.candidates import services as candidates
    from hirelens.candidates.models import Candidate
    from hirelens.candidates.tests.documents import docx_bytes
    from hirelens.evaluations.models import Decision
    from hirelens.scheduling.models import Interview
    from hirelens.workflows.tests.factories import assign, make_position, published_process

    words = WORDS[language]

    def setup():
        org.facial_analysis_enabled = False
        org.save()
        recruiter.full_name, recruiter.time_zone = "Emma Clarke", "Europe/London"
        recruiter.save()
        interviewer.full_name, interviewer.time_zone = "李娜", "Asia/Shanghai"
        interviewer.save()
        position = make_position(org, title="数据工程师", time_zone="Asia/Shanghai")
        assign(position, recruiter, "recruiter")
        assign(position, interviewer, "interviewer")
        _process, version = published_process(hr_admin, position, "technical")
        # 刘伟 applied last year by phone; the spreadsheet only has his new e-mail address
        candidates.candidate_create(actor=hr_admin, full_name="刘伟", phone="13912345678", email="liuwei.old@example.com")
        return position, version

    position, version = in_thread(setup)
    start_worker()  # the real worker delivers what the pages queue
    context = browser.new_context(locale=words["locale"], timezone_id="Europe/London", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": asgi_server.base_url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = asgi_server.base_url
    staff_login(page, base, recruiter)

    # 1. import: sandbox, mapping guessed from the headers, validation, one commit
    path = tmp_path / "候选人.csv"
    path.write_text(CSV, encoding="utf-8")
    page.goto(base + "/imports/")
    page.set_input_files("[data-testid=import-upload] input[type=file]", str(path))
    page.locator("[data-testid=import-upload] button[type=submit]").click()
    page.get_by_test_id("validate").click()
    page.get_by_test_id("commit").click()
    page.get_by_test_id("count-created").wait_for()
    assert in_thread(lambda: Candidate.objects.filter(organization=org).count()) == 4

    # 2. search "伟": both 刘伟 and 陈伟, not 王芳 — by name
    page.goto(base + "/candidates/")
    page.locator("[data-testid=candidate-search] input[name=q]").fill("伟")
    page.locator("[data-testid=candidate-search] input[name=q]").press("Enter")
    page.wait_for_url("**/candidates/?*q=*")
    names = page.get_by_test_id("candidate-name").all_inner_texts()
    assert sorted(names) == ["刘伟", "刘伟", "陈伟"]

    # 3. open the imported 刘伟 (the one with an application), upload his resume, accept what was parsed
    liu = in_thread(lambda: [c for c in Candidate.objects.filter(organization=org) if c.full_name == "刘伟"])
    imported = next(c for c in liu if c.email == "liu.wei@example.com")
    old = next(c for c in liu if c.pk != imported.pk)
    page.locator(f"[data-testid=candidate-row][data-id='{imported.pk}'] [data-testid=candidate-name]").click()
    page.wait_for_url(f"**/candidates/{imported.pk}/**")
    page.goto(f"{base}/candidates/{imported.pk}/?tab=resume")
    resume = tmp_path / "刘伟 简历.docx"
    resume.write_bytes(docx_bytes(RESUME))
    page.set_input_files("input[name=resume]", str(resume))
    page.locator("form[action$='/resume/upload/'] button[type=submit]").click()
    page.wait_for_url("**/resume/review/")
    assert "字节跳动" in page.content() and "华润万家" in page.content()
    page.get_by_test_id("accept-all").click()
    page.get_by_test_id("review-confirm").click()
    page.wait_for_url("**/resume/review/?done=1")
    # the resume's phone found the older record at once, named
    duplicates = page.get_by_test_id("review-duplicates")
    assert "刘伟" in duplicates.inner_text() and not shows_id_reference(duplicates.inner_text(), old.pk)
    filled = in_thread(lambda: (lambda c: (c.phone, sorted(c.work_history.values_list("employer", flat=True))))(
        Candidate.objects.get(pk=imported.pk)))
    assert filled == ("13912345678", ["华润万家", "字节跳动"])

    # 4. merge the duplicate into the imported record (side by side, then a confirmation)
    page.goto(base + "/candidates/duplicates/")
    group = page.get_by_test_id("duplicate-group")
    assert group.count() == 1 and group.inner_text().count("刘伟") >= 2
    page.get_by_test_id("merge-open").first.click()
    page.wait_for_url("**/merge/?duplicate=*")
    page.get_by_test_id("merge-next").click()
    assert "刘伟" in page.get_by_test_id("merge-summary").inner_text()
    page.get_by_test_id("merge-confirm").click()
    page.wait_for_url("**/candidates/*/?tab=profile")
    [kept] = in_thread(lambda: [c for c in Candidate.objects.filter(organization=org) if c.full_name == "刘伟"])  # one left
    application = in_thread(lambda: kept.applications.get(position=position))

    # 5. start his process and send the AI video interview from the application; the e-mail arrives
    page.goto(f"{base}/processes/applications/{application.pk}/")
    assert page.locator("h1").first.inner_text().startswith("刘伟")
    if not page.get_by_test_id("current-stage").count():
        page.locator("form[action$='/start/'] button[type=submit]").click()
    page.wait_for_selector("[data-testid=current-stage]")
    page.goto(f"{base}/candidates/{kept.pk}/?tab=applications")
    page.click("[data-testid=send-ai-interview]")
    page.wait_for_selector("[data-testid=stage-plan]")
    page.click("[data-testid=send-stage]")
    page.wait_for_selector("[data-testid=copy-link]")
    link = page.locator("[data-testid=interview-link]").input_value()
    invitation = next(m for m in smtp_server.wait_for(1) if "/i/" in SMTPSink.text_of(m))
    assert invitation["To"] == kept.email
    assert re.search(r"https?://[^/\s]+(/i/[\w-]+/)", SMTPSink.text_of(invitation)).group(1) in link
    sent_before = len(smtp_server.messages)

    # 6. a live interview, entered in London time, for an interviewer in Beijing; picked by name
    page.goto(f"{base}/scheduling/position/{position.pk}/")
    assert page.locator("#interview-tz").input_value().startswith(words["london"])
    picker = page.get_by_test_id("interview-application-input")
    picker.fill("liu")
    page.locator("#interview-application-list[data-results-for=liu]").wait_for(state="attached")
    [option] = page.get_by_test_id("interview-application-option").all_inner_texts()
    assert option.startswith("刘伟 · 数据工程师")  # the name, the position, then the stage
    picker.press("Enter")
    day = (timezone.now().astimezone(ZoneInfo("Europe/London")) + timedelta(days=3)).date().isoformat()
    form = page.locator("form", has=page.locator("#interview-tz"))
    form.locator("input[name=start]").fill(f"{day}T09:00")
    form.locator("input[name=end]").fill(f"{day}T10:00")
    form.locator("select[name=interviewers]").select_option(str(interviewer.pk))
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/scheduling/interviews/**")
    start = datetime.fromisoformat(f"{day}T09:00").replace(tzinfo=ZoneInfo("Europe/London"))  # the pages' one format
    expected = when_text(start, "Europe/London", end=start + timedelta(hours=1), language="en" if language == "en" else "zh-hans")
    assert page.get_by_test_id("when").inner_text() == expected and expected.endswith(f"09:00–10:00 {words['london']}")
    assert "刘伟" in page.content()
    interview = in_thread(lambda: Interview.objects.get())
    assert interview.application_id == application.pk
    mails = smtp_server.wait_for(sent_before + 2)[sent_before:]
    notice = next(m for m in mails if m["To"] == interviewer.email)
    beijing = interview.start_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{beijing:%H:%M} 北京时间" in SMTPSink.text_of(notice)  # the interviewer's zone and language

    # 7. the interviewer scores; the recruiter records the decision and sees the result sent to 刘伟
    def score():
        from hirelens.evaluations import services as evaluations
        from hirelens.evaluations.tests.factories import ratings

        evaluations.scorecard_submit(actor=interviewer, application=application, stage=version.stages.get(module="live"),
                                     ratings=ratings(8, 9, 8, 8))

    in_thread(score)
    page.goto(f"{base}/evaluations/applications/{application.pk}/")
    page.select_option("#outcome", "hire")
    page.fill("#rationale", "系统设计题思路清晰，实时数仓项目经验与岗位高度匹配，面试官评分一致较高。")
    page.get_by_test_id("decide").click()
    decision = in_thread(lambda: Decision.objects.get(application=application))
    told = page.get_by_test_id(f"decision-feedback-{decision.pk}")
    told.wait_for()
    assert words["sent"] in told.inner_text()
    assert decision.outcome == "hire" and decision.decided_by_id == recruiter.pk
    deadline = time.monotonic() + 30
    while not any(m["To"] == kept.email and "您已被录用" in SMTPSink.text_of(m) for m in smtp_server.messages):
        assert time.monotonic() < deadline, "the result never reached the candidate"
        time.sleep(0.2)
    assert not errors, errors
    context.close()
