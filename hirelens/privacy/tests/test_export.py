"""The archive: everything held about the person, decrypted, byte-equal to the originals; the expiring link."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from hirelens.privacy import services
from hirelens.privacy.models import PrivacyExport

from .factories import application_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 300 + b"\n%%EOF\n"


def _candidate_with_everything(org, hr_admin):
    from hirelens.candidates import services as candidate_services
    from hirelens.candidates.models import Document
    from hirelens.interviews.models import Answer
    from hirelens.interviews.sample_media import webm_bytes
    from hirelens.interviews.tests.factories import InterviewSessionFactory
    from hirelens.messaging.services.messages import message_send

    application = application_in(org, candidate__full_name="李雷", candidate__email="lilei@example.com")
    candidate = application.candidate
    candidate_services.project_save(candidate=candidate, actor=hr_admin, name="华东渠道拓展", results="项目营收 800万元")
    doc = Document(organization=org, candidate=candidate, doc_type="degree", filename="学位证书.pdf", content_type="application/pdf",
                   size=len(PDF))
    doc.file.save("x.pdf", ContentFile(PDF), save=True)
    session = InterviewSessionFactory(application=application, consents={"recording": {"version": 1, "at": "2026-01-01"}})
    media = webm_bytes(1.0)
    answer = Answer.objects.create(organization=org, session=session, question_index=0, status=Answer.Status.COMPLETE,
                                   mime_type="video/webm", size=len(media), analysis={"transcript": "我喜欢团队协作"})
    answer.recording.save("a.webm", ContentFile(media), save=True)
    message_send(organization_id=org.pk, kind="result", candidate=candidate, variables={"position": "销售代表", "result": "进入下一轮"})
    return candidate, doc, answer, media


def _build(hr_admin, candidate, kind="export"):
    pr = services.privacy_request_create(candidate=candidate, kind=kind, actor=hr_admin)
    export = services.export_start(actor=hr_admin, privacy_request=pr)
    services.export_build(export_id=export.pk)  # what the task runs (inline Huey runs it on commit too)
    export.refresh_from_db()
    return pr, export


def test_archive_holds_every_section_and_the_original_files(org, hr_admin):
    candidate, doc, answer, media = _candidate_with_everything(org, hr_admin)
    pr, export = _build(hr_admin, candidate)
    assert export.status == "ready" and export.progress == 100
    with export.file.open("rb") as stored:
        archive = zipfile.ZipFile(io.BytesIO(stored.read()))
    names = set(archive.namelist())
    data = json.loads(archive.read("data.json"))
    for section in ("record", "documents", "work_history", "projects", "education", "background_checks", "applications",
                    "timeline", "ai_interviews", "consents", "live_interviews", "scheduled_interviews", "scorecards",
                    "decisions", "feedback", "messages", "wechat", "helpdesk_tickets", "privacy_requests"):
        assert section in data, section
        assert f"{section}.json" in names, section
    assert data["record"]["full_name"] == "李雷" and data["record"]["email"] == "lilei@example.com"
    assert data["projects"][0]["name"] == "华东渠道拓展"
    assert archive.read(f"files/documents/{doc.pk}-学位证书.pdf") == PDF
    path = data["ai_interviews"][0]["answers"][0]["archive_path"]
    assert archive.read(path) == media
    assert data["ai_interviews"][0]["answers"][0]["analysis"] == {"transcript": "我喜欢团队协作"}
    assert data["messages"][0]["kind"] == "result" and "进入下一轮" in data["messages"][0]["body"]
    assert data["privacy_requests"][0]["kind"] == "export"
    # stored encrypted: the bytes on disk are not a ZIP
    from django.conf import settings

    with open(settings.MEDIA_ROOT / export.file.name, "rb") as raw:
        assert raw.read(4) == b"HLEF"


def test_a_repeated_build_is_harmless(org, hr_admin):
    candidate, *_ = _candidate_with_everything(org, hr_admin)
    pr, export = _build(hr_admin, candidate)
    name = export.file.name
    again = services.export_build(export_id=export.pk)
    assert (again.status, again.file.name) == ("ready", name)


def test_a_build_whose_worker_died_is_taken_again(org, hr_admin):
    candidate, *_ = _candidate_with_everything(org, hr_admin)
    pr = services.privacy_request_create(candidate=candidate, kind="export", actor=hr_admin)
    export = services.export_start(actor=hr_admin, privacy_request=pr)
    # a worker claimed it and died: its lease ran out
    PrivacyExport.objects.filter(pk=export.pk).update(status="building", lease_until=timezone.now() - timedelta(seconds=1), progress=40)
    assert services.exports_sweep() == 1
    export.refresh_from_db()
    assert export.status == "ready" and export.progress == 100


def test_download_link_works_then_expires_with_a_page_in_words(org, hr_admin):
    candidate, *_ = _candidate_with_everything(org, hr_admin)
    pr, export = _build(hr_admin, candidate)
    assert export.expires_at - export.built_at == timedelta(days=7)
    client = Client()
    url = services.export_url(export, absolute=False)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("data.json")
    PrivacyExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.get(url)
    assert expired.status_code == 410
    assert "下载链接已过期" in expired.content.decode()
    english = Client(headers={"accept-language": "en"})
    english.cookies["django_language"] = "en"
    pr.language = "en"
    pr.save(update_fields=["language"])
    text = english.get(url).content.decode()
    assert "The download link has expired" in text
    forged = client.get(url[:-3] + "abc/")
    assert forged.status_code == 404 and "无法识别这个链接" in forged.content.decode()
