"""Erasure that reaches every copy (issue 20): a candidate with everything is erased, then the database file, the
queue, the media folder (decrypted), var/mail and a restored backup are searched for their values: 0 hits."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from hirelens.core.audit import audit_verify_all
from hirelens.core.models import AuditEvent, ConsentWithdrawal, DecisionRecord, Erasure
from hirelens.core.testing import live_file_bytes
from hirelens.messaging.tests.conftest import fake_wechat, wechat_account  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
NAME = "欧阳紫萱"
PHONE = "13987654321"
EMAIL = "ziyuan.ouyang.erase@example.net"
RESUME_SENTENCE = "负责杭州跨境仓储改造项目"
TEXT_ANSWER = "我曾经在暴雨夜里独自修好了冷库的压缩机"
NOTE = "候选人欧阳紫萱表达清楚"


@pytest.fixture(autouse=True)
def _notices(db):
    from hirelens.interviews.models import ConsentNotice
    from hirelens.interviews.notices import ensure_platform_notices

    ensure_platform_notices(ConsentNotice)


@pytest.fixture
def mail_dir(settings):
    folder = Path(settings.VAR_DIR) / "test-mail"
    folder.mkdir(parents=True, exist_ok=True)
    for p in folder.glob("*"):
        p.unlink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = folder
    return folder


def _everything(org, hr_admin, tmp_path, wechat_account):  # noqa: F811
    """A candidate with a record, a resume, a document, an application with an analysed AI-interview answer (a real
    recorded WebM), a text answer, a live room with a note, a scorecard, a decision, a WeChat binding, an e-mail and a
    WeChat message, a help-desk ticket and a staff notification naming them."""
    from hirelens.candidates.models import Application
    from hirelens.candidates.services.files import document_upload, resume_attach
    from hirelens.candidates.services.records import candidate_create
    from hirelens.candidates.tests.resumes import pdf
    from hirelens.evaluations.models import Decision, Scorecard, ScorecardRating
    from hirelens.interviews.models import Answer
    from hirelens.interviews.sample_media import speech_webm
    from hirelens.interviews.tasks import answer_analyse_task
    from hirelens.interviews.tests.factories import InterviewSessionFactory
    from hirelens.messaging.models import WeChatBinding
    from hirelens.messaging.services.helpdesk import ticket_open_web
    from hirelens.messaging.services.messages import message_send
    from hirelens.positions.tests.factories import PositionFactory

    candidate = candidate_create(actor=hr_admin, full_name=NAME, phone=PHONE, email=EMAIL)
    resume = pdf([NAME, PHONE, EMAIL, RESUME_SENTENCE], chinese=True)
    resume_attach(candidate=candidate, actor=hr_admin, upload=SimpleUploadedFile("resume.pdf", resume, "application/pdf"))
    document_upload(candidate=candidate, actor=hr_admin, doc_type="degree",
                    upload=SimpleUploadedFile("degree.pdf", pdf([NAME, "学士学位"], chinese=True), "application/pdf"))
    position = PositionFactory(organization=org, keywords=["teamwork"])
    application = Application.objects.create(organization=org, candidate=candidate, position=position)
    session = InterviewSessionFactory(application=application, organization=org, state="submitted")
    data = speech_webm(tmp_path, "I enjoy teamwork. Our customers liked the teamwork of my group.")
    answer = Answer(organization=org, session=session, question_index=0, kind="audio", mime_type="audio/webm",
                    status="complete", size=len(data), sha256=hashlib.sha256(data).hexdigest(), analysis_status="queued")
    answer.recording.save("a.webm", ContentFile(data), save=False)
    answer.save()
    Answer.objects.create(organization=org, session=session, question_index=1, kind="text", text=TEXT_ANSWER, status="complete")
    answer_analyse_task(answer.pk)
    answer.refresh_from_db()
    assert answer.analysis_status == "done", answer.analysis_error
    transcript = answer.analysis["transcript"]["text"].strip()
    assert len(transcript) >= 10
    from hirelens.workflows.tests.factories import published_process

    _, version = published_process(hr_admin, position)
    stage = version.stages.first()
    card = Scorecard.objects.create(organization=org, application=application, stage=stage, position=position,
                                    interviewer=hr_admin, status="submitted", summary=NOTE, submitted_at=timezone.now())
    ScorecardRating.objects.create(organization=org, scorecard=card, dimension="communication", score=8, reason=NOTE,
                                   position=position, interviewer=hr_admin, application=application, stage=stage)
    Decision.objects.create(organization=org, application=application, stage=stage, outcome="reject", rationale=NOTE,
                            decided_by=hr_admin, scorecards_considered=1)
    binding = WeChatBinding.objects.create(organization=org, candidate=candidate, openid="oERASE-openid-unique-0001")
    message_send(organization_id=org.id, kind="result", candidate=candidate, channels=["email"],
                 variables={"position": position.title, "result": "未通过"})
    message_send(organization_id=org.id, kind="helpdesk_reply", candidate=candidate, binding=binding,
                 channels=["wechat_template"], variables={"reply": "已为您重新发送链接"})
    message_send(organization_id=org.id, kind="interviewer_notice", user=hr_admin, channels=["email"],
                 variables={"candidate": NAME, "position": position.title})
    ticket_open_web(organization_id=org.id, body=f"链接打不开，我是{NAME}", candidate=candidate)
    return candidate, {"transcript": transcript, "answer": answer, "application": application}


def _values(transcript: str) -> list[str]:
    return [NAME, PHONE, EMAIL, RESUME_SENTENCE, TEXT_ANSWER, NOTE, transcript]


def _hits(blob: bytes, values) -> list[str]:
    found = []
    for v in values:
        for encoded in {v.encode("utf-8"), v.encode("utf-16-le")}:
            if encoded in blob:
                found.append(v)
    return found


def _sqlite_file_hits(values) -> list[str]:
    connection.close()
    path = settings.DATABASES["default"]["TEST"]["NAME"] if "TEST" in settings.DATABASES["default"] else None
    path = connection.settings_dict["NAME"]
    blob = b"".join(live_file_bytes(p) for p in (path, path + "-wal") if Path(p).exists())
    return _hits(blob, values)


def _pg_hits(values) -> list[str]:
    """PostgreSQL: every text, varchar and json(b) column of every table, searched for each value."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema='public' "
                       "AND data_type IN ('text', 'character varying', 'json', 'jsonb')")
        for table, column in cursor.fetchall():
            for v in values:
                cursor.execute(f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s LIMIT 1', [f"%{v}%"])
                if cursor.fetchone():
                    found.append(f"{table}.{column}: {v}")
    return found


def _db_hits(values) -> list[str]:
    return _sqlite_file_hits(values) if connection.vendor == "sqlite" else _pg_hits(values)


def _media_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _media_hits(root: Path, values, *, ignore: set[Path] = frozenset()) -> list[str]:
    """Every file under ``root`` (but those other tests left before this one began), decrypted, searched."""
    from hirelens.core.storage import DecryptingReader

    found = []
    for path in sorted(_media_files(root) - set(ignore)):
        with open(path, "rb") as raw:
            try:
                plain = DecryptingReader(raw).read()
            except Exception:
                raw.seek(0)
                plain = raw.read()
        if plain.startswith(b"%PDF"):  # a PDF's words are compressed: search its extracted text too
            from hirelens.candidates.resume import extract_resume

            plain += extract_resume(plain).text.encode("utf-8")
        found += [f"{path.name}: {v}" for v in _hits(plain, values)]
    return found


def _queue_hits(values, ids: dict) -> list[str]:
    from hirelens.core.jobs import QUEUES

    found = []
    for huey in QUEUES.values():  # both queues: light and analysis
        for message in [*huey.pending(), *huey.scheduled()]:
            for name, wanted in ids.items():
                if message.name == name and set(message.args) & wanted:
                    found.append(f"{name}{message.args}")
        path = Path(huey.storage.filename) if getattr(huey.storage, "filename", None) else None
        if path is not None:
            blob = b"".join(live_file_bytes(p) for p in (str(path), str(path) + "-wal") if Path(p).exists())
            found += _hits(blob, values)
    return found


def _mail_hits(folder: Path, values) -> list[str]:
    from hirelens.core.mailfiles import mail_files, mail_text, split_mail_file

    return [f"{p.name}: {v}" for p in mail_files(folder) for raw in split_mail_file(p.read_bytes())
            for v in values if v.casefold() in mail_text(raw).casefold()]


def test_erasure_leaves_zero_hits_in_database_queue_media_mail_and_restored_backup(
        org, hr_admin, tmp_path, wechat_account, mail_dir, real_queue, analysis_queue):  # noqa: F811
    from hirelens.core.erasure import erase_candidate
    from hirelens.messaging.models import Message
    from hirelens.messaging.tasks import message_deliver_task, messages_deliver_task

    media = Path(settings.MEDIA_ROOT)
    earlier = _media_files(media)
    real_queue.immediate = analysis_queue.immediate = True  # the set-up's analysis and deliveries run inline
    candidate, made = _everything(org, hr_admin, tmp_path, wechat_account)
    values = _values(made["transcript"])
    real_queue.immediate = analysis_queue.immediate = False
    message_ids = set(Message.objects.filter(candidate=candidate).values_list("pk", flat=True))
    message_deliver_task(min(message_ids))  # a delivery still waiting in the queue
    messages_deliver_task(sorted(message_ids))
    assert _mail_hits(mail_dir, [EMAIL]) and _media_hits(media, [RESUME_SENTENCE], ignore=earlier)  # the set-up is what we think
    if connection.vendor == "sqlite":
        assert TEXT_ANSWER in _db_hits([TEXT_ANSWER])  # the plain columns were on disk before
    ours = {p.relative_to(media) for p in _media_files(media) - earlier}  # this test's files, in the archive too
    archive = tmp_path / "before.hlbackup"
    call_command("backup", output=archive, stdout=open(os.devnull, "w"))
    audit_before = AuditEvent.objects.count()

    result = erase_candidate(candidate=candidate, actor=hr_admin, reason="request")

    assert not result.pending
    assert result.counts["candidates.candidate"] == 1 and result.counts["interviews.answer"] == 2
    assert result.counts["messaging.message"] == 3  # theirs, and the staff notice whose variables name them
    assert result.counts["mail"] == 1  # the e-mail to them (the staff notice's template does not print the name)
    assert not Message.objects.filter(user=hr_admin).exists()
    assert _db_hits(values) == []
    assert _queue_hits(values, {"message_deliver_task": message_ids, "messages_deliver_task": message_ids}) == []
    assert _media_hits(media, values, ignore=earlier) == []
    assert _mail_hits(mail_dir, values) == []
    erasure = Erasure.objects.get()
    assert erasure.state == "done" and erasure.candidate_id == candidate.pk and _hits(
        str(erasure.__dict__).encode(), values) == []
    tomb = AuditEvent.objects.get(action="candidate_erased")
    assert tomb.object_id == result.pseudonym and tomb.actor_id == hr_admin.pk
    assert "candidates.candidate:1" in tomb.fields and AuditEvent.objects.count() == audit_before + 1
    assert all(report.ok for report in audit_verify_all())
    kept = DecisionRecord.objects.get()  # the AI-assisted rejection stays, pseudonymised, for the log's window
    assert kept.pseudonym == result.pseudonym and kept.outcome == "reject"
    assert kept.keep_until >= (timezone.now() + timedelta(days=182)).date()

    # an older backup brought back into a second instance: the ledger erases the candidate again
    restored = tmp_path / "restored"
    url, target = _second_database(restored)
    try:
        out = _manage(restored, url, "restore", str(archive), "--ledger", str(Path(settings.BACKUP_DIR) / "erasure-ledger.jsonl"))
        assert out.returncode == 0, out.stderr
        assert "erased again" in out.stdout
        assert _restored_hits(target, values) == []
        back = restored / "media"
        assert _media_hits(back, values, ignore={p for p in _media_files(back) if p.relative_to(back) not in ours}) == []
        assert not _files_named(back, made)
        out = _manage(restored, url, "audit_verify")
        assert out.returncode == 0, out.stdout + out.stderr
    finally:
        _drop_second_database(target)


def _files_named(root: Path, made) -> list:
    name = made["answer"].recording.name
    return [p for p in root.rglob("*") if p.is_file() and p.as_posix().endswith(name)]


def _second_database(var_dir: Path):
    var_dir.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        target = str(var_dir / "hirelens.sqlite3")
        return f"sqlite:///{target}", target
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_erased"[:63]
    with psycopg.connect(dbname="postgres", host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                         user=db["USER"] or "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}", name


def _drop_second_database(target: str) -> None:
    if connection.vendor == "sqlite":
        return
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(dbname="postgres", host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                         user=db["USER"] or "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


def _manage(var_dir: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIRELENS_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", HIRELENS_VAR_DIR=str(var_dir), HIRELENS_DATABASE_URL=url)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _restored_hits(target: str, values) -> list[str]:
    if connection.vendor == "sqlite":
        blob = b"".join(live_file_bytes(p) for p in (target, target + "-wal") if Path(p).exists())
        queue = Path(target).parent / "huey.sqlite3"
        if queue.exists():
            blob += live_file_bytes(queue)
        return _hits(blob, values)
    import psycopg

    db = connection.settings_dict
    found = []
    with psycopg.connect(dbname=target, host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                         user=db["USER"] or "postgres", autocommit=True) as conn:
        columns = conn.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema='public' "
                               "AND data_type IN ('text', 'character varying', 'json', 'jsonb')").fetchall()
        for table, column in columns:
            for v in values:
                if conn.execute(f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s LIMIT 1', [f"%{v}%"]).fetchone():
                    found.append(f"{table}.{column}: {v}")
    return found


def test_a_crash_after_commit_leaves_a_pending_erasure_that_resume_finishes(org, hr_admin, monkeypatch):
    from django.core.files.storage import default_storage

    from hirelens.candidates.services.files import document_upload
    from hirelens.candidates.services.records import candidate_create
    from hirelens.core import erasure as erasure_module

    candidate = candidate_create(actor=hr_admin, full_name="甘露", phone="13800001111")
    doc = document_upload(candidate=candidate, actor=hr_admin, doc_type="other",
                          upload=SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png"))
    name = doc.file.name
    monkeypatch.setattr(erasure_module, "erasure_finish", lambda **kw: None)  # the process dies right after commit
    result = erasure_module.erase_candidate(candidate=candidate, actor=hr_admin, reason="request")
    assert result.pending and default_storage.exists(name)
    monkeypatch.undo()
    assert erasure_module.erasure_resume() == 1
    assert not default_storage.exists(name) and Erasure.objects.get().state == "done"
    assert erasure_module.erasure_resume() == 0  # idempotent


def test_withdrawing_ai_analysis_deletes_transcripts_and_refuses_further_analysis(org, hr_admin, tmp_path):
    from hirelens.core.erasure import erase_derived
    from hirelens.interviews.models import Answer
    from hirelens.interviews.sample_media import speech_webm
    from hirelens.interviews.tasks import answer_analyse_task
    from hirelens.interviews.tests.factories import InterviewSessionFactory

    session = InterviewSessionFactory(application__candidate__organization=org, state="submitted")
    data = speech_webm(tmp_path, "I enjoy teamwork with customers.")
    first = Answer(organization=org, session=session, question_index=0, kind="audio", mime_type="audio/webm",
                   status="complete", size=len(data), analysis_status="done",
                   analysis={"transcript": {"text": "I enjoy teamwork"}, "summary": {"smile_count": 2}, "events": []})
    first.recording.save("a.webm", ContentFile(data), save=False)
    first.save()
    second = Answer(organization=org, session=session, question_index=1, kind="audio", mime_type="audio/webm",
                    status="complete", size=len(data), analysis_status="queued")
    second.recording.save("b.webm", ContentFile(data), save=False)
    second.save()
    candidate = session.application.candidate

    result = erase_derived(candidate=candidate, consent_kind="ai_analysis", actor=hr_admin)

    assert result.counts == {"interviews.answer.analysis": 1}
    first.refresh_from_db()
    assert first.analysis is None and first.analysis_error_code == "consent_withdrawn" and first.recording
    Answer.objects.filter(pk=second.pk).update(analysis_status="queued", analysis_error_code="")
    answer_analyse_task(second.pk)  # a task already queued, or one the sweep would send: refused
    second.refresh_from_db()
    assert second.analysis is None and second.analysis_status == "failed" and second.analysis_error_code == "consent_withdrawn"
    session.application.refresh_from_db()
    assert session.application.status == "active"  # the application goes on
    assert ConsentWithdrawal.objects.get().kind == "ai_analysis"
    entry = AuditEvent.objects.get(action="derived_erased")
    assert entry.fields == sorted(["consent:ai_analysis", "interviews.answer.analysis:1"])


def test_withdrawing_biometric_consent_strips_face_data_and_keeps_speech(org, hr_admin):
    from hirelens.core.erasure import erase_derived
    from hirelens.interviews.models import Answer
    from hirelens.interviews.tests.factories import InterviewSessionFactory

    session = InterviewSessionFactory(application__candidate__organization=org, state="analysed", biometric_allowed=True)
    report = {"summary": {"speaking_time_s": 5.0, "smile_count": 3, "frown_count": 1, "face_present_ratio": 0.9,
                          "look_away_count": 2},
              "transcript": {"text": "hello"}, "face": {"face_present_ratio": 0.9}, "posture": {"body_visible_ratio": 1},
              "events": [{"type": "smile"}, {"type": "speech"}, {"type": "gesture"}], "warnings": []}
    answer = Answer.objects.create(organization=org, session=session, question_index=0, kind="video", status="complete",
                                   analysis_status="done", analysis=report)

    erase_derived(candidate=session.application.candidate, consent_kind="biometric", actor=hr_admin)

    answer.refresh_from_db()
    session.refresh_from_db()
    assert session.biometric_allowed is False
    assert answer.analysis["face"] is None and answer.analysis["posture"] is None
    assert answer.analysis["events"] == [{"type": "speech"}]
    assert answer.analysis["summary"]["smile_count"] is None and answer.analysis["summary"]["speaking_time_s"] == 5.0
    assert answer.analysis["transcript"] == {"text": "hello"}


def test_reapplying_the_ledger_after_restoring_an_older_database_erases_again(org, hr_admin):
    """The ledger file beside the backups names what was erased: a database without the erasure loses the row again."""
    from hirelens.candidates.services.records import candidate_create
    from hirelens.core.erasure import erasure_reapply, ledger_path, ledger_read

    candidate = candidate_create(actor=hr_admin, full_name="柏青", phone="13800002222")
    entry = {"pseudonym": "feedc0de00000001", "organization_id": org.pk, "candidate_id": candidate.pk, "reason": "request"}
    assert erasure_reapply([entry]) == ["feedc0de00000001"]
    from hirelens.candidates.models import Candidate

    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    assert Erasure.objects.get().pseudonym == "feedc0de00000001"
    assert any(e["pseudonym"] == "feedc0de00000001" for e in ledger_read(ledger_path()))
    assert erasure_reapply([entry]) == []  # nothing left to erase
    with sqlite3.connect(":memory:"):
        pass
