from hirelens.workflows import services
from hirelens.workflows.models import Process, ProcessVersion


def test_designer_builds_edits_reorders_and_publishes_over_htmx(hr_admin, position, client):
    client.force_login(hr_admin)
    response = client.post(f"/processes/position/{position.pk}/new/", {"name": "2027 校招", "starter": ""})
    process = Process.objects.get(name="2027 校招")
    assert response.status_code == 302 and response["Location"] == f"/processes/{process.pk}/designer/"
    assert client.get(response["Location"]).status_code == 200
    headers = {"HTTP_HX_REQUEST": "true"}
    client.post(f"/processes/{process.pk}/stages/add/", {"module": "live"}, **headers)
    html = client.post(f"/processes/{process.pk}/stages/add/", {"module": "ai_video", "index": "0"}, **headers).content.decode()
    assert html.index("AI视频面试") < html.index("直播面试")
    draft = services.process_draft(process)
    video, live = draft.stages.all()
    response = client.post(f"/processes/stages/{video.pk}/edit/", {
        "title": "AI 初筛", "instructions": "请在安静的环境作答",
        "q_id": [video.settings["questions"][0]["id"], ""], "q_text": ["介绍你自己", "你为什么选择销售？"],
        "q_prep": ["30", "20"], "q_answer": ["120", "90"], "q_retakes": ["1", "0"],
        "practice_text": "用三个词描述你自己", "practice_prep": "10", "practice_answer": "30",
        "view_roles": ["interviewer", "hiring_manager"], "score_roles": ["hiring_manager"],
    }, **headers)
    assert response.status_code == 200 and "AI 初筛" in response.content.decode()
    video.refresh_from_db()
    assert [(q["text"], q["prep_seconds"], q["answer_seconds"], q["retakes"]) for q in video.settings["questions"]] == [
        ("介绍你自己", 30, 120, 1), ("你为什么选择销售？", 20, 90, 0)]
    assert (video.view_roles, video.score_roles) == (["interviewer", "hiring_manager"], ["hiring_manager"])
    client.post(f"/processes/{process.pk}/stages/reorder/", {"stage": [live.pk, video.pk]}, **headers)
    assert list(draft.stages.values_list("pk", flat=True)) == [live.pk, video.pk]
    preview = client.get(f"/processes/{process.pk}/preview/").content.decode()
    assert "你为什么选择销售？" in preview and "准备 20 秒，作答 90 秒，可重录 0 次" in preview
    response = client.post(f"/processes/{process.pk}/publish/", {"note": "首版"}, follow=True)
    assert "已发布版本 v1" in response.content.decode()
    version = process.versions.get(status=ProcessVersion.Status.PUBLISHED)
    assert [s.title for s in version.stages.all()] == ["直播面试", "AI 初筛"]
    process.refresh_from_db()
    assert process.is_active


def test_stage_form_shows_bad_input_in_place(hr_admin, position, client):
    client.force_login(hr_admin)
    process = services.process_create(actor=hr_admin, position=position)
    stage = services.stage_add(actor=hr_admin, version=services.process_draft(process), module="ai_video")
    response = client.post(f"/processes/stages/{stage.pk}/edit/", {"title": "AI", "q_id": [""], "q_text": ["题"], "q_prep": ["abc"],
                                                                  "q_answer": [""], "q_retakes": ["0"]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400  # the form again, as typed, with the message; nothing written
    assert "“abc”不是整数。" in response.content.decode()
    stage.refresh_from_db()
    assert stage.settings["questions"][0]["text"] == "请用三分钟介绍你自己，以及你为什么申请这个职位。"  # unchanged


def test_position_edit_page_validates_time_zone(hr_admin, position, client):
    client.force_login(hr_admin)
    data = {"title": "后端工程师", "department": "技术部", "location": "北京", "time_zone": "Mars/Olympus", "status": "open",
            "keywords": "Python，团队协作", "scorecard_dimensions": "沟通能力, 专业技能", "description": ""}
    response = client.post(f"/positions/{position.pk}/edit/", data)
    assert "未知的时区“Mars/Olympus”" in response.content.decode()
    position.refresh_from_db()
    assert position.time_zone == "Asia/Shanghai"
    response = client.post(f"/positions/{position.pk}/edit/", {**data, "time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    position.refresh_from_db()
    assert (position.time_zone, position.keywords, position.scorecard_dimensions) == (
        "Europe/Berlin", ["Python", "团队协作"], ["沟通能力", "专业技能"])


def test_cto_imports_coding_scores_from_the_board(tech, cto, interviewer, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hirelens.workflows.models import StageResult

    position_id = tech["process"].position_id
    coding = tech["coding"]
    client.force_login(interviewer)
    assert "import-scores" not in client.get(f"/processes/position/{position_id}/board/").content.decode()
    client.force_login(cto)
    assert "import-scores" in client.get(f"/processes/position/{position_id}/board/").content.decode()
    upload = SimpleUploadedFile("scores.csv", f"application_id,score\n{tech['application'].pk},77\n".encode(), "text/csv")
    response = client.post(f"/processes/stages/{coding.pk}/import-scores/", {"file": upload}, follow=True)
    assert "已导入 1 条得分。" in response.content.decode()
    assert str(StageResult.objects.get(stage=coding).score) == "77.00"


def _wav() -> bytes:
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x01" * 8000)
    return buffer.getvalue()


def test_question_audio_is_uploaded_encrypted_streamed_and_kept_on_publish(hr_admin, position, interviewer, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hirelens.workflows.models import StageAsset

    client.force_login(hr_admin)
    process = services.process_create(actor=hr_admin, position=position, starter="sales")
    stage = services.process_draft(process).stages.get(module="ai_video")
    questions = stage.settings["questions"]
    form = {"title": stage.title, "q_id": [q["id"] for q in questions], "q_text": [q["text"] for q in questions],
            "q_prep": ["30", "30"], "q_answer": ["120", "120"], "q_retakes": ["1", "1"], "practice_text": ""}
    data = _wav()
    response = client.post(f"/processes/stages/{stage.pk}/edit/", {**form, "q_audio_1": SimpleUploadedFile("q2.wav", data, "audio/wav")},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    stage.refresh_from_db()
    asset = StageAsset.objects.get()
    assert [q["audio_asset_id"] for q in stage.settings["questions"]] == [None, asset.pk]
    assert asset.content_type == "audio/wav"
    from django.conf import settings as django_settings

    stored = (django_settings.MEDIA_ROOT / asset.file.name).read_bytes()
    assert data[44:200] not in stored  # encrypted at rest
    streamed = b"".join(client.get(f"/processes/stages/{stage.pk}/assets/{asset.pk}/").streaming_content)
    assert streamed == data
    client.post(f"/processes/stages/{stage.pk}/edit/", form, HTTP_HX_REQUEST="true")  # saving again keeps the audio
    stage.refresh_from_db()
    assert stage.settings["questions"][1]["audio_asset_id"] == asset.pk
    version = services.process_publish(actor=hr_admin, process=process)
    published = version.stages.get(module="ai_video")
    assert published.settings["questions"][1]["audio_asset_id"] == asset.pk
    response = client.post(f"/processes/stages/{stage.pk}/edit/", {**form, "q_audio_0": SimpleUploadedFile("x.wav", b"not audio", "audio/wav")},
                           HTTP_HX_REQUEST="true")
    assert "不支持的录音格式" in response.content.decode() and StageAsset.objects.count() == 1
    client.force_login(interviewer)  # not assigned to the position
    assert client.get(f"/processes/stages/{published.pk}/assets/{asset.pk}/").status_code == 404
