"""The candidate hub's 面试 and 评估 tabs, filled by the real services (scheduling, AI interviews, scorecards,
decisions), read back through the page as each role sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hirelens.evaluations import services as ev_services
from hirelens.evaluations.tests.factories import build, ratings
from hirelens.interviews import services as iv_services
from hirelens.scheduling import services as sc_services
from hirelens.scheduling.tests.conftest import at
from hirelens.workflows.tests.factories import assign, make_application, make_position

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _notices(db):
    from hirelens.interviews.models import ConsentNotice
    from hirelens.interviews.notices import ensure_platform_notices

    ensure_platform_notices(ConsentNotice)


@pytest.fixture
def ev(org, hr_admin, interviewer, hiring_manager):
    return build(org, hr_admin, interviewer, hiring_manager)


def tab(client, user, candidate, name, language="zh-hans"):
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(f"/candidates/{candidate.pk}/?tab={name}")
    assert response.status_code == 200
    return response.content.decode()


def rows(page, testid):
    return page.count(f'data-testid="{testid}"')


def send_ai_interview(hr_admin, application, *, title="AI视频面试"):
    return iv_services.session_create(actor=hr_admin, application=application, title=title, text_answers_allowed=True,
                                      questions=[{"text": "请介绍一次团队协作的经历。", "prep_s": 5, "answer_s": 60}])[0]


def answer_and_submit(session):
    from hirelens.interviews.testing import session_actor_for

    iv_services.consent_record(actor=session_actor_for(session), session=session, accepted={"recording": True, "ai_analysis": True})
    iv_services.session_start(session=session, audio_only=False)
    iv_services.answer_text(session=session, question_index=0, text="我们在项目延期时重新拆分了任务。")
    return iv_services.session_submit(session=session)


def test_interviews_tab_lists_live_interviews_and_ai_sessions_from_the_services(ev, hr_admin, interviewer, client):
    application, candidate = ev["application"], ev["application"].candidate
    live = sc_services.interview_schedule(actor=hr_admin, application=application, start=at(3, 10), end=at(3, 11),
                                          interviewers=[interviewer], title="技术一面")
    sc_services.interview_reschedule(actor=hr_admin, interview=live, start=at(4, 14), end=at(4, 15))
    dropped = sc_services.interview_schedule(actor=hr_admin, application=application, start=at(5, 10), end=at(5, 11),
                                             interviewers=[interviewer], title="技术二面")
    sc_services.interview_cancel(actor=hr_admin, interview=dropped, reason="面试官出差")
    submitted = answer_and_submit(send_ai_interview(hr_admin, application, title="AI初筛"))
    sent = send_ai_interview(hr_admin, application, title="AI复试")
    revoked = send_ai_interview(hr_admin, application, title="AI作废")
    iv_services.session_revoke(actor=hr_admin, session=revoked)
    expired = send_ai_interview(hr_admin, application, title="AI过期")
    type(expired).objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))

    page = tab(client, hr_admin, candidate, "interviews")
    assert rows(page, "interview-row") == 2
    assert 'data-status="scheduled"' in page and 'data-status="cancelled"' in page
    assert "技术一面" in page and "技术二面" in page and "面试官出差" in page and ev["position"].title in page
    assert interviewer.full_name in page  # the panel, by name
    assert rows(page, "session-row") == 4
    statuses = {s.pk: s for s in (submitted, sent, revoked, expired)}
    assert len(statuses) == 4
    for status, label in (("submitted", "已提交"), ("sent", "已发送"), ("revoked", "已撤销"), ("expired", "已过期")):
        assert f'data-status="{status}"' in page and label in page
    # the activity below comes from the same services' timeline events, newest first
    assert page.index("撤销了AI视频面试：AI作废") < page.index("提交了AI视频面试：AI初筛") < page.index("取消了面试：技术二面")
    assert "面试改期：技术一面" in page and "安排了面试：技术一面" in page
    assert "评分卡" not in page.split('data-testid="interview-events"')[1]

    english = tab(client, hr_admin, candidate, "interviews", language="en")
    for word in ("Submitted", "Sent", "Revoked", "Expired"):
        assert f">{word}<" in english
    assert "revoked the AI video interview: AI作废 (后端工程师)" in english and "Interview activity" in english


def test_interviews_tab_shows_the_panel_only_their_positions(ev, org, hr_admin, interviewer, client):
    candidate = ev["application"].candidate
    other_position = make_position(org, title="财务分析师")
    other = make_application(other_position, "不相干")
    other.candidate = candidate
    other.save(update_fields=["candidate"])
    someone = type(interviewer).objects.create(organization=org, role="interviewer", email="x@example.com", full_name="面试官丙")
    assign(other_position, someone, "interviewer")
    sc_services.interview_schedule(actor=hr_admin, application=ev["application"], start=at(3, 10), end=at(3, 11),
                                   interviewers=[interviewer], title="我的面试")
    sc_services.interview_schedule(actor=hr_admin, application=other, start=at(3, 14), end=at(3, 15),
                                   interviewers=[someone], title="别人的面试")
    send_ai_interview(hr_admin, other, title="别的职位AI")

    page = tab(client, interviewer, candidate, "interviews")
    assert "我的面试" in page and "别人的面试" not in page and "别的职位AI" not in page
    assert rows(page, "interview-row") == 1 and rows(page, "session-row") == 0
    hr_page = tab(client, hr_admin, candidate, "interviews")
    assert rows(hr_page, "interview-row") == 2 and "别的职位AI" in hr_page


def test_evaluations_tab_lists_submitted_scorecards_blind_and_decisions(ev, hr_admin, recruiter, interviewer, client):
    application, candidate, second = ev["application"], ev["application"].candidate, ev["second"]
    ev_services.scorecard_submit(actor=interviewer, application=application, stage=ev["video"], ratings=ratings(8, 7, 6, 9),
                                 recommendation="yes")
    ev_services.scorecard_save_draft(actor=second, application=application, stage=ev["video"], ratings={})
    ev_services.decision_record(actor=recruiter, application=application, outcome="reject",
                                rationale="专业技能与岗位要求差距较大，项目经验不足")

    hr_page = tab(client, hr_admin, candidate, "evaluations")
    assert rows(hr_page, "scorecard-row") == 1  # the second interviewer's draft is not listed
    assert interviewer.full_name in hr_page and ev["video"].title in hr_page and "7.5" in hr_page and "推荐" in hr_page
    assert rows(hr_page, "decision-row") == 1 and 'data-outcome="reject"' in hr_page
    assert "不通过" in hr_page and recruiter.full_name in hr_page and "专业技能与岗位要求差距较大" in hr_page
    assert "提交了评分卡" in hr_page and "记录了决定：不通过" in hr_page  # the services' timeline events
    # blind until submitted: the second interviewer (draft only) sees no card
    assert rows(tab(client, second, candidate, "evaluations"), "scorecard-row") == 0
    ev_services.scorecard_submit(actor=second, application=application, stage=ev["video"], ratings=ratings(6, 6, 6, 6))
    assert rows(tab(client, second, candidate, "evaluations"), "scorecard-row") == 2

    english = tab(client, hr_admin, candidate, "evaluations", language="en")
    assert "recorded a decision: Reject (后端工程师)" in english and "Decided by" in english
    assert "（" not in english.split("<main")[-1]


def test_interviews_and_evaluations_tabs_cost_does_not_grow_with_rows(ev, hr_admin, interviewer, client,
                                                                      django_assert_max_num_queries):
    application, candidate = ev["application"], ev["application"].candidate

    def add(n, start_day):
        for i in range(n):
            sc_services.interview_schedule(actor=hr_admin, application=application, start=at(start_day + i, 9),
                                           end=at(start_day + i, 10), interviewers=[interviewer], title=f"面试{start_day + i}")
            send_ai_interview(hr_admin, application, title=f"AI{start_day + i}")

    add(1, 3)
    ev_services.scorecard_submit(actor=interviewer, application=application, stage=ev["video"], ratings=ratings(8, 7, 6, 9))
    client.force_login(hr_admin)
    counts = {}
    for name in ("interviews", "evaluations"):
        with django_assert_max_num_queries(30) as captured:
            client.get(f"/candidates/{candidate.pk}/?tab={name}")
        counts[name] = len(captured)
    add(8, 10)
    ev_services.scorecard_submit(actor=ev["second"], application=application, stage=ev["video"], ratings=ratings(6, 6, 6, 6))
    for name in ("interviews", "evaluations"):
        with django_assert_max_num_queries(counts[name]) as captured:
            page = client.get(f"/candidates/{candidate.pk}/?tab={name}").content.decode()
        assert ("面试17" in page) if name == "interviews" else (page.count('data-testid="scorecard-row"') == 2)
