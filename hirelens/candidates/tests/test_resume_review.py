"""The resume review step through its pages: nothing reaches the record before 确认; a subset writes only that
subset; the resume's phone finds duplicates at once; the candidate's own portal upload fills only empty fields;
and in Chromium on a phone, HR uploads a DOCX, accepts all and sees the record filled."""

import pytest
from django.urls import reverse

from conftest import in_thread, staff_login
from hirelens.candidates.models import Candidate, Education, Project, WorkExperience
from hirelens.candidates.selectors import candidate_find_duplicates
from hirelens.candidates.services import candidate_create, resume_attach, work_save
from hirelens.core.models import AuditEvent
from hirelens.core.testing import shows_id_reference

from . import documents as d
from . import resumes

ZH = ["李明轩", "电话：139-1234-5678 | 邮箱：li.mingxuan@example.cn", "教育背景", "2012.09-2016.06 北京邮电大学 计算机科学与技术 本科",
      "工作经历", "2019.07-至今 字节跳动 高级后端工程师", "2016.07-2019.06 华润万家 IT 工程师",
      "项目经历", "交易链路重构 2020.03-2021.12", "角色：技术负责人", "· 接口耗时降低 60%", "· 节省服务器成本 300万元",
      "技能", "Go, MySQL, 团队协作"]


def _upload(client, candidate, data=None, name="李明轩.docx"):
    return client.post(reverse("candidates:resume_upload", args=[candidate.pk]),
                       {"resume": d.upload(data or d.docx_bytes(ZH), name)})


def _record(candidate):
    candidate = Candidate.objects.get(pk=candidate.pk)
    return {"full_name": candidate.full_name, "phone": candidate.phone, "email": candidate.email, "skills": candidate.skills,
            "education": list(Education.objects.filter(candidate=candidate).values_list("school", "degree", "major", "start_year")),
            "work": sorted(WorkExperience.objects.filter(candidate=candidate).values_list("employer", "title", "start_year", "current")),
            "projects": [(p.name, p.role, [(r["label"], r["value"], r["unit"]) for r in p.results])
                         for p in Project.objects.filter(candidate=candidate)]}


EMPTY = {"full_name": "李明", "phone": "", "email": "", "skills": [], "education": [], "work": [], "projects": []}


def _form_data(page: str) -> dict:
    """The review form as the browser would send it untouched (every default choice and value)."""
    import html
    import re

    data = {}
    for tag in re.findall(r"<(?:input|textarea)[^>]*>(?:[^<]*</textarea>)?|<select.*?</select>", page, re.S):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="radio"' in tag:
            if "checked" in tag:
                data[name.group(1)] = value.group(1)
        elif 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "on"
        elif tag.startswith("<textarea"):
            data[name.group(1)] = html.unescape(re.search(r">\n?([^<]*)</textarea>", tag).group(1))
        elif tag.startswith("<select"):
            selected = re.search(r'<option value="([^"]*)"[^>]*selected', tag)
            data[name.group(1)] = selected.group(1) if selected else ""
        else:
            data[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return data


def test_upload_leads_to_the_review_and_nothing_is_written_before_the_confirm(hr_admin, client):
    candidate = candidate_create(actor=hr_admin, full_name="李明")
    client.force_login(hr_admin)
    response = _upload(client, candidate)
    assert response.status_code == 302 and response.url == reverse("candidates:resume_review", args=[candidate.pk])
    assert _record(candidate) == EMPTY
    page = client.get(response.url).content.decode()
    assert _record(candidate) == EMPTY  # showing the review writes nothing either
    for text in ("李明轩", "13912345678", "li.mingxuan@example.cn", "北京邮电大学", "字节跳动", "华润万家", "交易链路重构",
                 "节省服务器成本 300万元", "全部采用", "确认写入档案"):
        assert text in page, text
    assert page.count('data-testid="review-row"') == 8  # name, phone, e-mail, 1 school, 2 employers, 1 project, skills
    assert Candidate.objects.get(pk=candidate.pk).resume_status == "parsed"  # the file itself is stored
    tab = client.get(reverse("candidates:detail", args=[candidate.pk]) + "?tab=resume").content.decode()
    assert 'data-testid="resume-review-link"' in tab and "北京邮电大学 本科" in tab and "bachelor" not in tab
    # A value the record already holds differently (the name) defaults to 跳过; new values default to 采用.
    assert _form_data(page)["full_name-choice"] == "skip" and _form_data(page)["phone-choice"] == "accept"


def test_accepting_a_subset_writes_only_that_subset(hr_admin, client):
    candidate = candidate_create(actor=hr_admin, full_name="李明")
    client.force_login(hr_admin)
    _upload(client, candidate)
    url = reverse("candidates:resume_review", args=[candidate.pk])
    data = _form_data(client.get(url).content.decode())
    for key in list(data):
        if key.endswith("-choice"):
            data[key] = "skip"
    data.update({"phone-choice": "accept", "work0-choice": "accept", "work0-title": "资深后端工程师"})  # edited before accepting
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == url + "?done=1"
    assert _record(candidate) == {**EMPTY, "phone": "13912345678", "work": [("字节跳动", "资深后端工程师", 2019, True)]}
    assert Candidate.objects.get(pk=candidate.pk).timeline.first().kind == "resume_applied"
    done = client.get(response.url).content.decode()
    assert "已写入档案：手机号、工作经历。" in done


def test_accept_all_fills_every_field_through_the_services(hr_admin, client):
    candidate = candidate_create(actor=hr_admin, full_name="李明")
    client.force_login(hr_admin)
    _upload(client, candidate)
    url = reverse("candidates:resume_review", args=[candidate.pk])
    data = _form_data(client.get(url).content.decode())
    response = client.post(url, {**data, "accept_all": "1"})
    assert response.status_code == 302
    assert _record(candidate) == {
        "full_name": "李明轩", "phone": "13912345678", "email": "li.mingxuan@example.cn", "skills": ["Go", "MySQL", "团队协作"],
        "education": [("北京邮电大学", "bachelor", "计算机科学与技术", 2012)],
        "work": [("华润万家", "IT 工程师", 2016, False), ("字节跳动", "高级后端工程师", 2019, True)],
        "projects": [("交易链路重构", "技术负责人", [("接口耗时降低", "60", "%"), ("节省服务器成本", "3000000", "CNY")])],
    }
    updated = AuditEvent.objects.filter(action="update", object_id=str(candidate.pk))
    assert {f for e in updated for f in e.fields} >= {"full_name", "phone", "email", "education", "projects", "skills"}
    # The record's profile shows the school with its degree in words, not a code.
    profile = client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    assert "北京邮电大学 · 本科 · 计算机科学与技术" in profile and "bachelor" not in profile
    # A second review proposes nothing new: every row already agrees or exists and defaults to 跳过.
    again = _form_data(client.get(url).content.decode())
    assert {v for k, v in again.items() if k.endswith("-choice")} == {"skip"}


def test_the_resumes_phone_finds_duplicates_at_once_by_name(hr_admin, client):
    other = candidate_create(actor=hr_admin, full_name="王旧档", phone="13912345678")
    candidate = candidate_create(actor=hr_admin, full_name="李明")
    client.force_login(hr_admin)
    _upload(client, candidate)
    url = reverse("candidates:resume_review", args=[candidate.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="review-duplicates"' in page and "王旧档" in page
    assert reverse("candidates:detail", args=[other.pk]) in page and reverse("candidates:duplicates") in page
    assert not shows_id_reference(page, other.pk)
    data = _form_data(page)
    client.post(url, {**data, "accept_all": "1"})
    saved = Candidate.objects.get(pk=candidate.pk)
    assert saved.phone == "13912345678"
    found = candidate_find_duplicates(organization_id=hr_admin.organization_id, phone="139 1234 5678")
    assert sorted(found.values_list("pk", flat=True)) == sorted([other.pk, candidate.pk])  # in the blind index
    done = client.get(url + "?done=1").content.decode()
    assert "王旧档" in done and reverse("candidates:duplicates") in done
    groups = client.get(reverse("candidates:duplicates")).content.decode()
    assert groups.count('data-testid="duplicate-group"') == 1


def test_a_refused_value_writes_nothing_at_all(hr_admin, client):
    candidate = candidate_create(actor=hr_admin, full_name="李明")
    client.force_login(hr_admin)
    _upload(client, candidate)
    url = reverse("candidates:resume_review", args=[candidate.pk])
    data = {**_form_data(client.get(url).content.decode()), "accept_all": "1", "edu0-start_year": "1800"}
    response = client.post(url, data)
    assert response.status_code == 200 and "年份应在 1950 到 2100 之间。" in response.content.decode()
    assert _record(candidate) == EMPTY  # the phone and the employers accepted with it were rolled back too


def test_review_is_for_staff_who_manage_candidates_only(hr_admin, interviewer, outsider, client):
    candidate = candidate_create(actor=hr_admin, full_name="李明")
    resume_attach(candidate=candidate, actor=hr_admin, upload=d.upload(d.docx_bytes(ZH), "r.docx"))
    url = reverse("candidates:resume_review", args=[candidate.pk])
    for user in (interviewer, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"accept_all": "1", "phone-choice": "accept", "phone": "13912345678"}).status_code == 404
    assert _record(candidate) == EMPTY


def test_without_a_parsed_resume_the_review_says_so_and_writes_nothing(hr_admin, client):
    candidate = candidate_create(actor=hr_admin, full_name="李明")
    client.force_login(hr_admin)
    url = reverse("candidates:resume_review", args=[candidate.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="review-nothing"' in page and 'data-testid="review-form"' not in page
    response = client.post(url, {"accept_all": "1", "phone-choice": "accept", "phone": "13912345678"})
    assert response.status_code == 200 and _record(candidate) == EMPTY


def test_review_page_in_english_has_words_not_codes(hr_admin, client):
    candidate = candidate_create(actor=hr_admin, full_name="Emily Chen")
    resume_attach(candidate=candidate, actor=hr_admin, upload=d.upload(d.docx_bytes(d.EN_RESUME), "cv.docx"))
    client.force_login(hr_admin)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("candidates:resume_review", args=[candidate.pk])).content.decode()
    for text in ("Review the parsed resume", "Accept all", "Confirm and write to the record", "Bachelor", "Skip", "(empty)"):
        assert text in page, text
    assert "核对" not in page and "采用" not in page and "：" not in page


def test_the_candidates_own_upload_fills_only_what_is_empty(hr_admin, portal_actor):
    candidate = candidate_create(actor=hr_admin, full_name="李明", email="own@example.com")
    work_save(candidate=candidate, actor=hr_admin, employer="自己填的公司", start_year=2020)
    resume_attach(candidate=candidate, actor=portal_actor(candidate), upload=d.upload(d.docx_bytes(ZH), "r.docx"))
    record = _record(candidate)
    assert record["full_name"] == "李明" and record["email"] == "own@example.com"  # kept
    assert record["phone"] == "13912345678"  # was empty
    assert record["work"] == [("自己填的公司", "", 2020, False)]  # the record had work history: untouched
    assert record["education"] == [("北京邮电大学", "bachelor", "计算机科学与技术", 2012)]
    assert [p[0] for p in record["projects"]] == ["交易链路重构"]
    assert record["skills"] == ["Go", "MySQL", "团队协作"]
    assert Candidate.objects.get(pk=candidate.pk).timeline.first().by_candidate is True


# --- In the browser -------------------------------------------------------------------------------

@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_hr_uploads_a_docx_reviews_accepts_all_and_sees_the_record_filled(asgi_server, browser, hr_admin, tmp_path):

    case = next(c for c in resumes.cases() if c.key == "en2")  # an English DOCX: ByteDance, LSE, projects
    path = tmp_path / "Sarah Lee CV.docx"
    path.write_bytes(case.data())
    candidate = in_thread(lambda: candidate_create(actor=hr_admin, full_name="S. Lee"))
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    staff_login(page, asgi_server.base_url, hr_admin)
    page.goto(f"{asgi_server.base_url}/candidates/{candidate.pk}/?tab=resume")
    page.set_input_files("input[name=resume]", str(path))
    page.locator("form[action$='/resume/upload/'] button[type=submit]").click()
    page.wait_for_url("**/resume/review/")
    rows = page.get_by_test_id("review-row")
    assert rows.count() == 9  # name, phone, e-mail, 2 schools, 2 employers, 1 project, skills
    assert "ByteDance" in page.content() and in_thread(lambda: _record(candidate))["work"] == []
    page.get_by_test_id("accept-all").click()
    assert page.locator('input[type=radio][value=skip]:checked').count() == 0
    assert page.evaluate("document.activeElement.dataset.testid") == "review-confirm"  # the keyboard is on 确认
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # fits a phone
    page.keyboard.press("Enter")
    page.wait_for_url("**/resume/review/?done=1")
    page.get_by_test_id("review-back").click()
    page.wait_for_url(f"**/candidates/{candidate.pk}/")
    profile = page.content()
    for text in ("Sarah Lee", "ByteDance", "Deloitte Consulting", "London School of Economics", "Seller Onboarding Revamp"):
        assert text in profile, text
    record = in_thread(lambda: _record(candidate))
    assert record["full_name"] == "Sarah Lee" and record["phone"] == "17722223333" and record["email"] == "sarah.lee@example.org"
    assert [w[0] for w in record["work"]] == ["ByteDance", "Deloitte Consulting"]
    assert not [e for e in errors if "Content Security Policy" in e or "Alpine" in e]
    context.close()


def test_fill_empty_reads_the_stored_parse_and_the_timeline_says_it_in_words(hr_admin, client):
    from hirelens.candidates.services.resume_apply import resume_fill_empty

    candidate = candidate_create(actor=hr_admin, full_name="李明")
    resume_attach(candidate=candidate, actor=hr_admin, upload=d.upload(d.docx_bytes(ZH), "r.docx"))
    applied = resume_fill_empty(candidate=candidate, actor=hr_admin)  # an instance from before the upload
    assert applied.fields == ["phone", "email", "education", "work_history", "projects", "skills"]
    client.force_login(hr_admin)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("candidates:detail", args=[candidate.pk]) + "?tab=timeline").content.decode()
    assert "filled in from the resume: " in page and "updated the education history" in page
    assert "work_history" not in page and "从简历" not in page
