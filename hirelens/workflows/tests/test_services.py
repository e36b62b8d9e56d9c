import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from hirelens.candidates.models import Application
from hirelens.workflows import services
from hirelens.workflows.models import ApplicationProgress, ModuleType, PipelineEvent, ProcessVersion, Stage, StageResult
from hirelens.workflows.modules import MODULES, settings_clean

from .factories import make_application, make_position, published_process


def test_starters_cover_every_module_type_with_settings(hr_admin, position):
    seen = set()
    for starter in ("technical", "sales", "management"):
        process = services.process_create(actor=hr_admin, position=position, starter=starter)
        draft = services.process_draft(process)
        for stage in draft.stages.all():
            seen.add(stage.module)
            assert stage.settings == settings_clean(stage.module, stage.settings)
        services.process_publish(actor=hr_admin, process=process)  # every starter is publishable as is
    assert seen >= {"ai_video", "coding", "scenario", "case_analysis", "live", "material_upload"}
    assert set(MODULES) == set(ModuleType.values)


def test_ai_video_settings_are_stored_in_the_documented_shape(hr_admin, position):
    process = services.process_create(actor=hr_admin, position=position)
    stage = services.stage_add(actor=hr_admin, version=services.process_draft(process), module="ai_video")
    services.stage_update(actor=hr_admin, stage=stage, title="AI面试", settings={
        "questions": [{"text": "介绍一个项目", "prep_seconds": 30, "answer_seconds": 120, "retakes": 2}],
        "practice": {"text": "用三个词描述你自己", "prep_seconds": 10, "answer_seconds": 30}})
    stage.refresh_from_db()
    question = stage.settings["questions"][0]
    assert {k: question[k] for k in ("text", "prep_seconds", "answer_seconds", "retakes", "audio_asset_id")} == {
        "text": "介绍一个项目", "prep_seconds": 30, "answer_seconds": 120, "retakes": 2, "audio_asset_id": None}
    assert len(question["id"]) == 8
    assert stage.settings["practice"] == {"text": "用三个词描述你自己", "prep_seconds": 10, "answer_seconds": 30}
    with pytest.raises(ValidationError):
        services.stage_update(actor=hr_admin, stage=stage, settings={"questions": [{"text": "x", "retakes": -1}]})


def test_publishing_freezes_a_version_and_running_applications_keep_theirs(hr_admin, position):
    process, v1 = published_process(hr_admin, position, "sales")
    assert (v1.number, v1.status) == (1, ProcessVersion.Status.PUBLISHED)
    early = make_application(position, "早")
    progress = services.pipeline_start(actor=hr_admin, application=early)
    assert progress.version == v1

    draft = services.process_draft(process)
    services.stage_add(actor=hr_admin, version=draft, module="questionnaire", index=0, title="入职意向")
    v2 = services.process_publish(actor=hr_admin, process=process, note="加问卷")
    late = services.pipeline_start(actor=hr_admin, application=make_application(position, "晚"))

    progress.refresh_from_db()
    assert progress.version == v1 and late.version == v2
    assert [s.module for s in v1.stages.all()] == ["ai_video", "scenario", "live"]
    assert [s.module for s in v2.stages.all()] == ["questionnaire", "ai_video", "scenario", "live"]
    assert [s.key for s in v2.stages.all()][1:] == [s.key for s in v1.stages.all()]  # keys survive versions
    with pytest.raises(ValidationError):
        services.stage_update(actor=hr_admin, stage=v1.stages.first(), title="改已发布版本")
    services.pipeline_advance(actor=hr_admin, progress=progress, reason="AI面试完成")
    progress.refresh_from_db()
    assert progress.stage.version == v1 and progress.stage.module == "scenario"


def test_publish_refuses_an_empty_process_and_a_question_without_time_limit(hr_admin, position):
    process = services.process_create(actor=hr_admin, position=position)
    with pytest.raises(ValidationError) as exc:
        services.process_publish(actor=hr_admin, process=process)
    assert exc.value.messages == ["流程至少需要一个环节才能发布。"]
    stage = services.stage_add(actor=hr_admin, version=services.process_draft(process), module="ai_video", title="AI面试")
    services.stage_update(actor=hr_admin, stage=stage, settings={"questions": [{"text": "为什么选择我们？", "prep_seconds": 30}]})
    with pytest.raises(ValidationError) as exc:
        services.process_publish(actor=hr_admin, process=process)
    assert exc.value.messages == ["环节“AI面试”的第 1 题没有作答时间限制。"]
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.process_publish(actor=hr_admin, process=process)
    assert exc.value.messages == ["Question 1 of stage “AI面试” has no answer time limit."]
    services.stage_update(actor=hr_admin, stage=stage, settings={"questions": []})
    with pytest.raises(ValidationError) as exc:
        services.process_publish(actor=hr_admin, process=process)
    assert exc.value.messages == ["环节“AI面试”没有题目。"]
    assert not process.versions.filter(status="published").exists()


def test_reorder_add_at_index_and_remove(hr_admin, position):
    process = services.process_create(actor=hr_admin, position=position)
    draft = services.process_draft(process)
    a = services.stage_add(actor=hr_admin, version=draft, module="ai_video")
    b = services.stage_add(actor=hr_admin, version=draft, module="live")
    c = services.stage_add(actor=hr_admin, version=draft, module="coding", index=1)
    assert list(draft.stages.values_list("pk", flat=True)) == [a.pk, c.pk, b.pk]
    services.stages_reorder(actor=hr_admin, version=draft, stage_ids=[b.pk, a.pk, c.pk])
    assert list(draft.stages.values_list("pk", "order")) == [(b.pk, 0), (a.pk, 1), (c.pk, 2)]
    with pytest.raises(ValidationError):
        services.stages_reorder(actor=hr_admin, version=draft, stage_ids=[b.pk, a.pk])
    services.stage_remove(actor=hr_admin, stage=b)
    assert list(draft.stages.values_list("pk", "order")) == [(a.pk, 0), (c.pk, 1)]


def test_clone_to_another_position_copies_the_latest_version(hr_admin, org, position):
    process, v1 = published_process(hr_admin, position, "management")
    other = make_position(org, title="区域经理")
    clone = services.process_clone(actor=hr_admin, process=process, position=other)
    copied = services.process_draft(clone).stages.all()
    assert clone.position == other and clone.cloned_from == process and clone.is_active
    assert [(s.module, s.title, s.settings, s.view_roles) for s in copied] == [
        (s.module, s.title, s.settings, s.view_roles) for s in v1.stages.all()]
    assert not set(s.key for s in copied) & set(s.key for s in v1.stages.all())


def test_pipeline_moves_need_a_person_with_the_right_and_a_reason(hr_admin, recruiter, interviewer, position):
    published_process(hr_admin, position, "sales")
    application = make_application(position)
    progress = services.pipeline_start(actor=recruiter, application=application)
    with pytest.raises(ValidationError):
        services.pipeline_advance(actor=recruiter, progress=progress, reason="  ")
    with pytest.raises(PermissionDenied):
        services.pipeline_reject(actor=interviewer, progress=progress, reason="AI 分数低")
    progress.refresh_from_db()
    assert progress.state == "active" and progress.stage.module == "ai_video"

    services.pipeline_advance(actor=recruiter, progress=progress, reason="视频回答清楚")
    services.pipeline_hold(actor=recruiter, progress=progress, reason="等待预算")
    with pytest.raises(ValidationError):
        services.pipeline_advance(actor=recruiter, progress=progress, reason="继续")
    services.pipeline_resume(actor=recruiter, progress=progress, reason="预算批准")
    services.pipeline_reject(actor=recruiter, progress=progress, reason="情景模拟表现不足")
    progress.refresh_from_db()
    application.refresh_from_db()
    assert progress.state == ApplicationProgress.State.REJECTED
    assert (application.status, application.stage) == (Application.Status.REJECTED, "情景模拟：客户拒绝签约")
    assert list(progress.events.values_list("action", "reason", "actor__email")) == [
        ("start", "开始面试流程 v1", "recruiter@example.com"),
        ("advance", "视频回答清楚", "recruiter@example.com"),
        ("hold", "等待预算", "recruiter@example.com"),
        ("resume", "预算批准", "recruiter@example.com"),
        ("reject", "情景模拟表现不足", "recruiter@example.com"),
    ]
    from hirelens.candidates.models import TimelineEvent
    from hirelens.candidates.timeline import timeline_text

    entries = TimelineEvent.objects.filter(candidate=application.candidate, kind__startswith="pipeline.").order_by("pk")
    assert [timeline_text(e) for e in entries] == [
        f"{application.position.title}：开始面试流程 v1，环节「AI视频面试」",
        f"{application.position.title}：进入环节「情景模拟：客户拒绝签约」",
        f"{application.position.title}：流程暂停", f"{application.position.title}：流程恢复",
        f"{application.position.title}：未通过（由人决定）"]
    assert all("原因" not in str(e.params) and "预算" not in str(e.params) for e in entries)


def test_advancing_past_the_last_stage_completes(hr_admin, position):
    published_process(hr_admin, position, "technical")
    progress = services.pipeline_start(actor=hr_admin, application=make_application(position))
    for _ in range(3):
        progress = services.pipeline_advance(actor=hr_admin, progress=progress, reason="通过")
    assert progress.state == "completed" and progress.stage.module == "live"
    assert PipelineEvent.objects.filter(progress=progress, action="complete").count() == 1


def test_start_needs_an_active_published_process(hr_admin, position):
    with pytest.raises(ValidationError):
        services.pipeline_start(actor=hr_admin, application=make_application(position))
    process = services.process_create(actor=hr_admin, position=position, starter="sales")
    with pytest.raises(ValidationError):
        services.pipeline_start(actor=hr_admin, application=make_application(position, "二"))
    assert not ApplicationProgress.objects.exists()
    with pytest.raises(ValidationError):
        services.process_activate(actor=hr_admin, process=process)


def test_coding_scores_import_from_csv_all_or_nothing(tech, hr_admin, hiring_manager, interviewer, cto):
    coding, progress = tech["coding"], tech["progress"]
    other = services.pipeline_start(actor=hr_admin, application=make_application(tech["application"].position, "二号"))
    csv_ok = f"application_id,score,comment\n{progress.application_id},87.5,平台导出\n{other.application_id},60,\n".encode()
    results = services.stage_results_import_csv(actor=cto, stage=coding, data=csv_ok)
    assert [(r.progress_id, str(r.score), r.source) for r in results] == [
        (progress.pk, "87.50", "upload"), (other.pk, "60.00", "upload")]
    bad = f"application_id,score\n{progress.application_id},90\n999999,50\n".encode()
    with pytest.raises(ValidationError) as exc:
        services.stage_results_import_csv(actor=cto, stage=coding, data=bad)
    assert exc.value.messages == ["第 3 行：找不到使用该流程版本的申请 999999。"]
    assert str(StageResult.objects.get(progress=progress, stage=coding).score) == "87.50"  # rolled back
    with pytest.raises(PermissionDenied):
        services.stage_result_record(actor=interviewer, progress=progress, stage=coding, score=100)
    with pytest.raises(ValidationError):
        services.stage_result_record(actor=hiring_manager, progress=progress, stage=coding, score=101)
    assert StageResult.objects.filter(stage=coding).count() == 2
    # the column names as people write them, in either language
    for header in ("申请编号,分数,备注", "Application ID,Score,Comment"):
        [result] = services.stage_results_import_csv(actor=cto, stage=coding, data=f"{header}\n{other.application_id},71,ok\n".encode())
        assert (result.progress_id, str(result.score)) == (other.pk, "71.00")
    with pytest.raises(ValidationError) as exc:
        services.stage_results_import_csv(actor=cto, stage=coding, data=b"id,points\n1,2\n")
    assert exc.value.messages == ["CSV 需要“申请编号”和“分数”两列。"]
    # a stage that is not a coding assessment takes no file, however well formed
    not_coding = progress.version.stages.exclude(module="coding").first()
    with pytest.raises(ValidationError) as exc:
        services.stage_results_import_csv(actor=cto, stage=not_coding, data=csv_ok)
    assert exc.value.messages == ["这个环节不接受导入得分，只有编程测评环节可以。"]
    assert not StageResult.objects.filter(stage=not_coding).exists()


def test_other_organization_cannot_write(hr_admin, outsider, position):
    process, _v = published_process(hr_admin, position, "sales")
    with pytest.raises(ValidationError):
        services.stage_add(actor=outsider, version=services.process_draft(process), module="live")
    with pytest.raises(ValidationError):
        services.process_publish(actor=outsider, process=process)
    assert Stage.objects.filter(version__process=process, version__status="draft").count() == 3
