"""Issue 17 §2, on HR's pages: how the speech rate was measured, a keyword the answer's language cannot mention shown
as not applicable (never × 0), and the transcript's language, in Chinese and English, on the interview page, the
evaluation page and the PDF report. No raw code reaches a person."""

import re
from io import BytesIO

import pytest
from django.urls import reverse

from hirelens.evaluations.tests.factories import build
from hirelens.interviews.models import Answer

from .factories import InterviewSessionFactory

pytestmark = pytest.mark.django_db

MANDARIN = {
    "summary": {"duration_s": 7.7, "speaking_time_s": 6.5, "pause_count": 1, "speech_rate_syll_per_s": 4.42,
                "articulation_rate_syll_per_s": 5.2, "chars_per_min": 265.0, "language": "zh", "speech_rate_source": "transcript",
                "keywords": {"团队协作": 1, "抗压": 2}, "keywords_not_applicable": []},
    "transcript": {"language": "zh", "text": "对我来讲是一种荣幸，但是也是压力蛮大的。我们团队协作完成了。", "words": []},
    "events": [],
}
ENGLISH = {
    "summary": {"duration_s": 12.0, "speaking_time_s": 10.0, "pause_count": 2, "speech_rate_syll_per_s": 2.76,
                "articulation_rate_syll_per_s": 3.3, "words_per_min": 144.0, "language": "en", "speech_rate_source": "acoustic",
                "keywords": {"Python": 2}, "keywords_not_applicable": ["团队协作"]},
    "transcript": {"language": "en", "text": "I wrote the service in Python and tested the Python code.", "words": []},
    "events": [],
}
OLD = {  # stored before issue 17: no method, no applicability
    "summary": {"duration_s": 5.0, "speaking_time_s": 4.0, "pause_count": 0, "speech_rate_syll_per_s": 3.1,
                "articulation_rate_syll_per_s": 3.5, "words_per_min": 120.0, "language": "en", "keywords": {"teamwork": 0}},
    "transcript": {"language": "en", "text": "Hello there.", "words": []},
    "events": [],
}

RAW = re.compile(r">\s*(transcript|acoustic|zh|en|keywords_not_applicable|speech_rate_source)\s*<")


def _answers(session, *reports):
    for index, report in enumerate(reports):
        Answer.objects.create(organization=session.organization, session=session, question_index=index, kind="audio",
                              status=Answer.Status.COMPLETE, analysis_status=Answer.Analysis.DONE, analysis=report)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_interview_page_says_how_the_rate_was_measured_and_which_keywords_do_not_apply(org, hr_admin, client):
    session = InterviewSessionFactory(application__candidate__organization=org, state="analysed")
    _answers(session, MANDARIN, ENGLISH)
    client.force_login(hr_admin)
    html = client.get(f"/interviews/{session.pk}/").content.decode()
    text = _text(html)
    assert "语速计算方法 按转写计数" in text and "语速计算方法 声学估计" in text
    assert "转写语言 中文" in text and "转写语言 英文" in text
    assert "团队协作：不适用" in text and "团队协作 × 0" not in text
    assert "抗压 × 2" in text and "Python × 2" in text
    assert html.count('data-testid="keyword-not-applicable"') == 1
    assert "回答所用的语言与该关键词的语言不同" in text
    assert not RAW.search(html)

    client.cookies["django_language"] = "en"
    html = client.get(f"/interviews/{session.pk}/").content.decode()
    text = _text(html)
    assert "Speech rate measured by counted from the transcript" in text and "Speech rate measured by acoustic estimate" in text
    assert "Transcript language Chinese" in text and "Transcript language English" in text
    assert "团队协作: not applicable" in text and "× 0" not in text
    assert "按转写计数" not in text and "不适用" not in text
    assert not RAW.search(html)


def test_a_report_stored_before_the_method_was_recorded_shows_no_method(org, hr_admin, client):
    session = InterviewSessionFactory(application__candidate__organization=org, state="analysed")
    _answers(session, OLD)
    client.force_login(hr_admin)
    text = _text(client.get(f"/interviews/{session.pk}/").content.decode())
    assert "语速（音节/秒）" in text and "语速计算方法" not in text
    assert "teamwork × 0" in text and "不适用" not in text  # an old count stays a count
    assert "转写语言 英文" in text


def test_evaluation_page_and_pdf_report_show_the_method_language_and_not_applicable(org, hr_admin, interviewer, hiring_manager,
                                                                                   client):
    from pypdf import PdfReader

    ev = build(org, hr_admin, interviewer, hiring_manager)
    session = InterviewSessionFactory(application=ev["application"], stage=ev["video"], state="analysed")
    _answers(session, MANDARIN, ENGLISH)
    client.force_login(hr_admin)
    url = reverse("evaluations:application", args=[ev["application"].pk])
    html = client.get(url).content.decode()
    text = _text(html)
    assert "语速计算方法 按转写计数" in text and "语速计算方法 声学估计" in text
    assert "转写语言 中文" in text and "转写语言 英文" in text
    assert "团队协作：不适用" in text and "团队协作 × 0" not in text
    assert not RAW.search(html)

    pdf = PdfReader(BytesIO(client.get(reverse("evaluations:report_pdf", args=[ev["application"].pk])).content))
    pdf_text = re.sub(r"\s+", "", "".join(page.extract_text() for page in pdf.pages))
    assert "语速计算方法：按转写计数" in pdf_text and "语速计算方法：声学估计" in pdf_text
    assert "团队协作：不适用" in pdf_text and "转写语言：英文" in pdf_text

    client.cookies["django_language"] = "en"
    text = _text(client.get(url).content.decode())
    assert "Speech rate measured by counted from the transcript" in text and "Transcript language English" in text
    assert "团队协作: not applicable" in text and "× 0" not in text
    pdf = PdfReader(BytesIO(client.get(reverse("evaluations:report_pdf", args=[ev["application"].pk])).content))
    pdf_text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    assert "Speech rate measured by: acoustic estimate" in pdf_text and "团队协作: not applicable" in pdf_text
