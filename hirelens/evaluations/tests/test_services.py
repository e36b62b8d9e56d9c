"""Scorecards (scale, reasons, lock, amendments, blind rule, stage permissions) and human decisions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from hirelens.core.models import AuditEvent
from hirelens.evaluations import services
from hirelens.evaluations.access import access_stage_for_evaluation, visible_scorecards
from hirelens.evaluations.models import Decision, FitRule, Scorecard, ScorecardAmendment, ScorecardRating
from hirelens.evaluations.selectors import ai_evidence, profile_build
from hirelens.workflows.models import ApplicationProgress

from .factories import DIMS, ratings

pytestmark = pytest.mark.django_db


def submit(ev, user, *scores, stage=None, **kw):
    return services.scorecard_submit(actor=user, application=ev["application"], stage=stage or ev["video"],
                                     ratings=ratings(*scores), **kw)


@pytest.mark.parametrize("bad, message", [
    ({"沟通能力": {"score": 11, "reason": "x"}}, "1 到 10"),
    ({"沟通能力": {"score": 0, "reason": "x"}}, "1 到 10"),
    ({"沟通能力": {"score": "七", "reason": "x"}}, "整数"),
    ({"沟通能力": {"score": 7, "reason": "  "}}, "理由"),
    ({"沟通能力": {"score": None, "reason": "x"}}, "打分"),
])
def test_submit_refuses_bad_scores_and_missing_reasons_and_stores_nothing(ev, interviewer, bad, message):
    data = ratings(7, 7, 7, 7)
    data.update(bad)
    with pytest.raises(ValidationError) as err:
        services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["video"], ratings=data)
    assert message in str(err.value)
    assert not Scorecard.objects.filter(status=Scorecard.Status.SUBMITTED).exists()
    assert not ScorecardRating.objects.exists()


def test_unknown_dimension_is_refused(ev, interviewer):
    data = ratings(7, 7, 7, 7) | {"颜值": {"score": 9, "reason": "x"}}
    with pytest.raises(ValidationError, match="未知的评分维度"):
        services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["video"], ratings=data)


def test_submit_locks_the_card_second_submission_and_edits_refused(ev, interviewer):
    now = timezone.now()
    card = submit(ev, interviewer, 8, 7, 6, 9, now=now)
    assert card.status == Scorecard.Status.SUBMITTED and card.submitted_at == now
    row = card.ratings.get(dimension="沟通能力")
    assert (row.score, row.department, row.position_id, row.submitted_at) == (8, "技术部", ev["position"].pk, now)
    with pytest.raises(ValidationError, match="不能重复提交"):
        submit(ev, interviewer, 1, 1, 1, 1)
    with pytest.raises(ValidationError, match="锁定"):
        services.scorecard_save_draft(actor=interviewer, application=ev["application"], stage=ev["video"], ratings=ratings(1, 1, 1, 1))
    assert sorted(card.ratings.values_list("score", flat=True)) == [6, 7, 8, 9]
    assert AuditEvent.objects.filter(object_type="evaluations.scorecard", object_id=str(card.pk), action="create").count() == 1


def test_draft_keeps_partial_card_without_reasons(ev, interviewer):
    card = services.scorecard_save_draft(actor=interviewer, application=ev["application"], stage=ev["video"],
                                         ratings={"沟通能力": {"score": 6, "reason": ""}})
    assert card.status == Scorecard.Status.DRAFT
    assert list(card.ratings.values_list("dimension", "score")) == [("沟通能力", 6)]


def test_amendment_by_author_with_reason_keeps_both_values_and_is_audited(ev, interviewer):
    card = submit(ev, interviewer, 8, 7, 6, 9)
    with pytest.raises(ValidationError, match="修订原因"):
        services.scorecard_amend(actor=interviewer, scorecard=card, dimension="专业技能", score=8, reason="补充", why=" ")
    amendment = services.scorecard_amend(actor=interviewer, scorecard=card, dimension="专业技能", score=8,
                                         reason="复看录像后，系统设计部分回答完整", why="复看了录像")
    assert (amendment.old_score, amendment.new_score, amendment.why) == (7, 8, "复看了录像")
    rating = card.ratings.get(dimension="专业技能")
    assert (rating.score, rating.item_n, rating.item_sum, rating.item_min, rating.item_max) == (8, 1, 8, 8, 8)
    assert AuditEvent.objects.filter(object_type="evaluations.scorecard", object_id=str(card.pk), action="update",
                                     fields=["rating:专业技能"]).exists()


def test_amendment_by_someone_else_is_refused_and_changes_nothing(ev, interviewer, hr_admin):
    card = submit(ev, interviewer, 8, 7, 6, 9)
    for actor in (ev["second"], hr_admin):
        with pytest.raises(PermissionDenied):
            services.scorecard_amend(actor=actor, scorecard=card, dimension="专业技能", score=1, reason="x", why="y")
    assert card.ratings.get(dimension="专业技能").score == 7
    assert not ScorecardAmendment.objects.exists()


def test_amendment_outside_scale_is_refused(ev, interviewer):
    card = submit(ev, interviewer, 8, 7, 6, 9)
    with pytest.raises(ValidationError, match="1 到 10"):
        services.scorecard_amend(actor=interviewer, scorecard=card, dimension="专业技能", score=12, reason="x", why="y")
    assert card.ratings.get(dimension="专业技能").score == 7


def test_blind_until_submitted(ev, interviewer, hiring_manager, recruiter):
    second, application = ev["second"], ev["application"]
    mine = submit(ev, interviewer, 8, 7, 6, 9)
    draft = services.scorecard_save_draft(actor=second, application=application, stage=ev["video"], ratings={})
    # the second interviewer has not submitted: sees only their own draft
    assert set(visible_scorecards(actor=second, application=application)) == {draft}
    assert profile_build(actor=second, application=application).empty
    # the hiring manager may score this stage too and has not: blind as well
    assert set(visible_scorecards(actor=hiring_manager, application=application)) == set()
    # HR (runs the process, does not score): sees submitted cards, never drafts
    assert set(visible_scorecards(actor=recruiter, application=application)) == {mine}
    # the first interviewer sees nobody's draft
    assert set(visible_scorecards(actor=interviewer, application=application)) == {mine}
    theirs = submit(ev, second, 6, 6, 6, 6)
    assert set(visible_scorecards(actor=second, application=application)) == {mine, theirs}
    assert set(visible_scorecards(actor=interviewer, application=application)) == {mine, theirs}
    assert profile_build(actor=second, application=application).cards == 2


def test_blind_rule_is_per_stage(ev, interviewer, hiring_manager):
    submit(ev, interviewer, 8, 7, 6, 9, stage=ev["live"])
    submit(ev, hiring_manager, 5, 5, 5, 5, stage=ev["video"])
    # the hiring manager submitted for the video stage only: the live stage stays hidden
    assert {c.stage_id for c in visible_scorecards(actor=hiring_manager, application=ev["application"])} == {ev["video"].pk}


def test_stage_permissions_decide_who_scores(ev, interviewer, hiring_manager):
    coding = ev["coding"]  # restricted to the hiring-manager role
    with pytest.raises(PermissionDenied):
        submit(ev, interviewer, 8, 8, 8, 8, stage=coding)
    with pytest.raises(Http404):
        access_stage_for_evaluation(actor=interviewer, application=ev["application"], stage_id=coding.pk)
    assert not Scorecard.objects.exists()
    assert submit(ev, hiring_manager, 8, 8, 8, 8, stage=coding).status == Scorecard.Status.SUBMITTED


def test_recruiter_cannot_score_and_stage_of_another_process_refused(ev, recruiter, interviewer, org, hr_admin, hiring_manager):
    with pytest.raises(PermissionDenied):
        submit(ev, recruiter, 8, 8, 8, 8)
    from .factories import build

    other = build(org, hr_admin, interviewer, hiring_manager, title="数据工程师", name="乙")
    with pytest.raises(ValidationError, match="不属于"):
        submit(ev, interviewer, 8, 8, 8, 8, stage=other["video"])
    assert not Scorecard.objects.exists()


def test_profile_synthesis_with_fit_rule(ev, interviewer, recruiter, org):
    FitRule.objects.create(organization=org, label="销售", conditions={"沟通能力": 8})
    submit(ev, interviewer, 8, 7, 6, 9)
    submit(ev, ev["second"], 8, 7, 4, 9)
    profile = profile_build(actor=recruiter, application=ev["application"])
    by = {d.name: d for d in profile.dimensions}
    assert [d.name for d in profile.dimensions] == DIMS
    assert (by["沟通能力"].mean, by["沟通能力"].level) == (8.0, "strong")
    assert (by["专业技能"].mean, by["专业技能"].level) == (7.0, "medium")
    assert (by["团队协作"].mean, by["团队协作"].low, by["团队协作"].high, by["团队协作"].spread, by["团队协作"].level) == (5.0, 4, 6, 1.0, "weak")
    assert profile.fit == "销售"
    assert profile.statement == "沟通能力强 (8)，专业技能中等 (7)，团队协作较弱 (5)，学习能力强 (9)：适合销售"
    assert [s["dimension"] for s in profile.strengths] == ["沟通能力", "学习能力"]
    assert profile.concerns[0]["dimension"] == "团队协作" and profile.concerns[0]["score"] == 4


# --- decisions (S1) ---------------------------------------------------------------------------------

def test_rejection_without_rationale_is_refused_and_changes_nothing(ev, recruiter):
    for rationale in ("", "   ", "不合适"):
        with pytest.raises(ValidationError, match="理由"):
            services.decision_record(actor=recruiter, application=ev["application"], outcome="reject", rationale=rationale)
    assert not Decision.objects.exists()
    ev["progress"].refresh_from_db()
    assert ev["progress"].state == ApplicationProgress.State.ACTIVE


def test_decision_needs_the_right_and_a_person(ev, interviewer):
    with pytest.raises(PermissionDenied):
        services.decision_record(actor=interviewer, application=ev["application"], outcome="reject",
                                 rationale="专业技能明显不足，无法胜任岗位")
    with pytest.raises(PermissionDenied):
        services.decision_record(actor=None, application=ev["application"], outcome="reject", rationale="AI 分数低于阈值，自动淘汰")
    assert not Decision.objects.exists()
    ev["progress"].refresh_from_db()
    assert ev["progress"].state == ApplicationProgress.State.ACTIVE


def test_decision_by_another_organization_is_refused(ev, outsider):
    with pytest.raises(PermissionDenied):
        services.decision_record(actor=outsider, application=ev["application"], outcome="advance", rationale="ok")
    assert not Decision.objects.exists()


def test_rejection_with_rationale_moves_the_pipeline_and_sends_the_result(ev, recruiter, interviewer):
    from hirelens.feedback.models import FeedbackCase

    submit(ev, interviewer, 4, 3, 5, 5)
    decision = services.decision_record(actor=recruiter, application=ev["application"], outcome="reject",
                                        rationale="专业技能不足：系统设计题未能给出可行方案")
    assert (decision.decided_by, decision.stage, decision.scorecards_considered) == (recruiter, ev["video"], 1)
    ev["progress"].refresh_from_db()
    assert ev["progress"].state == ApplicationProgress.State.REJECTED
    case = FeedbackCase.objects.get(application=ev["application"])
    assert case.status == FeedbackCase.Status.SENT and case.decision == decision


def test_advance_moves_to_next_stage(ev, hiring_manager):
    services.decision_record(actor=hiring_manager, application=ev["application"], outcome="advance", rationale="")
    ev["progress"].refresh_from_db()
    assert ev["progress"].stage == ev["coding"]


def test_ai_analysis_never_scores_or_rejects(ev, recruiter, org):
    """Dreadful AI figures: still no score, no profile dimension, no decision, whatever runs."""
    from hirelens.feedback.services import feedback_tick
    from hirelens.interviews.models import Answer
    from hirelens.interviews.tests.factories import InterviewSessionFactory

    session = InterviewSessionFactory(application=ev["application"], organization=org, state="analysed",
                                      submitted_at=timezone.now() - timedelta(hours=1), biometric_allowed=False)
    Answer.objects.create(organization=org, session=session, question_index=0, status="complete", analysis_status="done",
                          analysis={"summary": {"duration_s": 60, "speaking_time_s": 3, "pause_count": 40, "smile_count": 0,
                                                "keywords": {"团队协作": 0}},
                                    "events": [{"type": "pause", "start_s": 4.5, "end_s": 9}, {"type": "frown", "start_s": 12, "end_s": 13}]})
    feedback_tick(now=timezone.now())
    assert not Scorecard.objects.exists() and not ScorecardRating.objects.exists() and not Decision.objects.exists()
    assert profile_build(actor=recruiter, application=ev["application"]).empty
    ev["progress"].refresh_from_db()
    assert ev["progress"].state == ApplicationProgress.State.ACTIVE
    [row] = ai_evidence(actor=recruiter, application=ev["application"])
    assert ("pause_count", 40) in row["figures"]
    # facial signals are withheld without biometric consent
    assert "smile_count" not in dict(row["figures"]) and [e["type"] for e in row["events"]] == ["pause"]


def test_scale_settings_and_shareable_dimensions(ev, hr_admin, interviewer):
    services.scorecard_settings_update(actor=hr_admin, position=ev["position"], scale_min=1, scale_max=5,
                                       shareable_dimensions=["沟通能力", "不存在"])
    with pytest.raises(ValidationError, match="1 到 5"):
        submit(ev, interviewer, 6, 5, 5, 5)
    card = submit(ev, interviewer, 5, 4, 3, 2)
    assert card.scale_max == 5
    with pytest.raises(ValidationError, match="不能再修改"):
        services.scorecard_settings_update(actor=hr_admin, position=ev["position"], scale_min=1, scale_max=10, shareable_dimensions=[])
    with pytest.raises(PermissionDenied):
        services.scorecard_settings_update(actor=interviewer, position=ev["position"], scale_min=1, scale_max=5, shareable_dimensions=[])


def test_hr_admin_off_the_panel_reads_submitted_cards_but_is_blind_once_scoring(ev, interviewer, hr_admin):
    mine = submit(ev, interviewer, 8, 7, 6, 9)
    assert set(visible_scorecards(actor=hr_admin, application=ev["application"])) == {mine}
    draft = services.scorecard_save_draft(actor=hr_admin, application=ev["application"], stage=ev["video"], ratings={})
    assert set(visible_scorecards(actor=hr_admin, application=ev["application"])) == {draft}


def test_item_stats_follow_the_panel(ev, interviewer):
    submit(ev, interviewer, 8, 7, 6, 9)
    submit(ev, ev["second"], 6, 7, 4, 9)
    services.scorecard_save_draft(actor=ev["second"], application=ev["application"], stage=ev["live"], ratings={})
    rows = ScorecardRating.objects.filter(dimension="团队协作").values_list("item_n", "item_sum", "item_min", "item_max")
    assert set(rows) == {(2, 10, 4, 6)}
