"""The resumable upload protocol: pieces in, one encrypted, verified recording out.

Upload protocol (per answer): ``answer_begin`` → ``chunk_put`` × n (index, offset, SHA-256; idempotent,
in order) → ``answer_finish`` (total size + SHA-256): the chunks are streamed, in order, into one
encrypted file, the digest is checked, PyAV reads the media facts (``media.probe_quick``: a cost that does not grow
with the recording), the answer is complete and its analysis is enqueued after commit. A chunk that was stored is never replaced by different bytes, so a
retried or duplicated request cannot damage an answer. An empty piece is refused (it would take an index
for nothing). A whole upload that holds no usable answer (not media, no decodable audio, under a second)
is refused at finish with ``UnusableRecording``: the attempt goes back to "recording" with no pieces, so
the candidate records it again at once without using up a retake.
"""

from __future__ import annotations

import hashlib
import io
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.core.jobs import enqueue_on_commit

from ..media import JoinError, NotMediaError, join_parts, probe_quick
from ..models import Answer, InterviewSession, UploadChunk, answer_upload_to
from .answers import _part_files, _parts, _supersede, question_for
from .errors import UnusableRecording, UploadConflict, unusable_message
from .sessions import _publish

MAX_CHUNK_BYTES = 8 * 1024 * 1024
# Generous ceiling on recording bit rate (browsers record about 0.25–2.5 Mbit/s) to refuse absurd uploads.
MAX_BYTES_PER_SECOND = 1_000_000
DURATION_GRACE_S = 3.0
MIN_ANSWER_S = 1.0  # less decodable audio than this is no answer (a cut or silent-failed recording)


def _size_limit(answer: Answer) -> int:
    question = question_for(answer.session, answer.question_index)
    return int((question["answer_s"] + DURATION_GRACE_S) * MAX_BYTES_PER_SECOND)


def chunk_put(*, answer: Answer, index: int, offset: int, sha256: str, data: bytes) -> UploadChunk:
    """Store one piece. Every recording candidate sends one every two seconds, so this is the hot path of a busy
    interview day (docs/scale.md, "Uploads"): the (slow) encrypted file write happens before the short transaction
    that records it, and that transaction is three small statements — lock the answer (status), read the piece and
    the one before it, insert — so the database write lock (SQLite's only one) is held briefly. ``answer`` comes
    from ``access_candidate_upload`` (one query, with its session); its status is only a hint here, the locked
    read decides."""
    sha256 = sha256.lower()
    if not data:
        raise ValidationError(_("分片为空（0 字节），未保存，请重新上传该分片。"), code="empty_chunk")
    if len(data) > MAX_CHUNK_BYTES:
        raise ValidationError(_("分片过大（上限 %(mb)s MB）。") % {"mb": MAX_CHUNK_BYTES // (1024 * 1024)})
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValidationError(_("分片校验和不一致，请重新上传该分片。"))
    if answer.status != Answer.Status.RECORDING or offset + len(data) > _size_limit(answer):
        # a retry after the answer was finished, or a piece to refuse: decided without writing a file
        with transaction.atomic():
            existing = _chunk_check(answer, index=index, offset=offset, sha256=sha256, size=len(data))
        if existing is not None:
            return existing
    from django.core.files.storage import default_storage

    name = default_storage.save(f"chunks/a{answer.pk}-{index}.part", ContentFile(data))
    try:
        with transaction.atomic():
            existing = _chunk_check(answer, index=index, offset=offset, sha256=sha256, size=len(data))
            if existing is not None:  # a retried request: the piece is stored already
                default_storage.delete(name)
                return existing
            chunk = UploadChunk(organization_id=answer.organization_id, answer_id=answer.pk, index=index, offset=offset,
                                size=len(data), sha256=sha256)
            chunk.data.name = name
            chunk.save(force_insert=True)
    except BaseException:
        default_storage.delete(name)
        raise
    return chunk


def _chunk_check(answer: Answer, *, index: int, offset: int, sha256: str, size: int) -> UploadChunk | None:
    """Inside the piece's transaction: returns the stored twin of a repeated piece, raises for a piece that
    contradicts what is stored (or comes after the answer was finished), None for a new piece to insert. Locks the
    answer's row (PostgreSQL; SQLite's BEGIN IMMEDIATE locks the database) so ``answer_finish`` and a racing twin
    wait. Two queries, neither builds a model unless the piece is a repeat."""
    status = Answer.objects.select_for_update().filter(pk=answer.pk).values_list("status", flat=True).get()
    stored = {row[0]: row[1:] for row in UploadChunk.objects.filter(answer_id=answer.pk, index__in=(index - 1, index))
              .values_list("index", "offset", "size", "sha256")}
    if index in stored:
        stored_offset, _size, stored_sha256 = stored[index]
        if stored_sha256 == sha256 and stored_offset == offset:
            return UploadChunk.objects.get(answer_id=answer.pk, index=index)  # a retried request: nothing to do
        raise UploadConflict(_("该分片已以不同内容上传，已保留原内容。"))
    if status != Answer.Status.RECORDING:
        raise UploadConflict(_("该作答已完成，不能再上传。"))
    previous = stored.get(index - 1) if index > 0 else None
    expected = 0 if index == 0 else (previous[0] + previous[1] if previous else None)
    if expected is None:
        raise UploadConflict(_("请先上传第 %(n)s 个分片。") % {"n": index})
    if offset != expected:
        raise UploadConflict(_("分片偏移量不正确（应为 %(offset)s）。") % {"offset": expected})
    if offset + size > _size_limit(answer):
        raise ValidationError(_("作答超过了时长上限。"))
    return None


class _ChunkStream(io.RawIOBase):
    """The chunks of an answer, decrypted and concatenated in order, hashed as they pass."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._current = None
        self.digest = hashlib.sha256()
        self.total = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        while True:
            if self._current is None:
                chunk = next(self._chunks, None)
                if chunk is None:
                    return 0
                self._current = chunk.data.open("rb")
            data = self._current.read(len(buffer))
            if data:
                buffer[: len(data)] = data
                self.digest.update(data)
                self.total += len(data)
                return len(data)
            self._current.close()
            self._current = None


def _fail(answer: Answer, reason: str) -> None:
    Answer.objects.filter(pk=answer.pk).update(status=Answer.Status.FAILED, failure=reason[:300])


def _refuse(answer: Answer, *, name: str, code: str) -> NoReturn:
    """An unusable upload: its file and pieces are deleted and the attempt is open again (status "recording", so it
    uses no retake and ``answer_begin`` resumes it empty); ``failure`` keeps why, which also answers a repeated finish."""
    answer.recording.storage.delete(name)
    with transaction.atomic():
        locked = Answer.objects.select_for_update().get(pk=answer.pk)
        if locked.status == Answer.Status.RECORDING:
            pieces = [c.data.name for c in locked.chunks.all()]
            UploadChunk.objects.filter(answer=locked).delete()
            locked.failure = f"refused: {code}"
            locked.media = {}  # a continued take's parts went with its pieces
            locked.save(update_fields=["failure", "media", "updated_at"])
            storage = answer.recording.storage
            transaction.on_commit(lambda: [storage.delete(n) for n in pieces])
    raise UnusableRecording(unusable_message(code), code=code)


def _join_stored(answer: Answer, chunks, name: str) -> tuple[str, int, str]:
    """A continued take: its parts joined into one recording (packets copied, timestamps following on), stored in
    place of the assembled upload. Returns the joined file's name, size and SHA-256 (what HR's player is served)."""
    import tempfile

    files = _part_files(chunks, _parts(answer, sum(c.size for c in chunks)))
    try:
        with tempfile.TemporaryFile() as joined:
            try:
                join_parts(files, joined, format="mp4" if answer.extension == "mp4" else "webm")
            except JoinError as exc:
                _refuse(answer, name=name, code="parts_differ" if exc.code == "parts_differ" else "not_media")
            joined.seek(0)
            digest, size = hashlib.sha256(), 0
            for block in iter(lambda: joined.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
            joined.seek(0)
            storage = answer.recording.storage
            storage.delete(name)
            return storage.save(answer_upload_to(answer, ""), File(joined, name="answer")), size, digest.hexdigest()
    finally:
        for handle in files:
            handle.close()


def answer_finish(*, answer: Answer, total_size: int | None, sha256: str | None) -> Answer:
    """Assemble, verify and store the answer. Runs its own transaction after the (slow) assembly.

    ``total_size`` and ``sha256`` None: finish with the pieces the server holds (an interrupted take kept as it is by a
    page that no longer has the recording itself, e.g. another browser). The practice answer is checked like any
    answer (a silent microphone is caught there) and then discarded: only the fact that the practice was done stays."""
    answer = Answer.objects.select_related("session").get(pk=answer.pk)
    if total_size is None or sha256 is None:
        if answer.status == Answer.Status.COMPLETE:
            return answer
        stored = list(answer.chunks.order_by("index"))
        if not stored:
            raise UploadConflict(_("这次作答还没有上传任何内容，请重新录制（不占重录次数）。"))
        digest = hashlib.sha256()
        for piece in stored:
            with piece.data.open("rb") as handle:
                digest.update(handle.read())
        total_size, sha256 = sum(c.size for c in stored), digest.hexdigest()
    if answer.status == Answer.Status.COMPLETE:
        upload = (answer.media or {}).get("upload") or {"size": answer.size, "sha256": answer.sha256}
        if upload["sha256"] == sha256.lower() and upload["size"] == total_size:
            return answer  # idempotent
        raise UploadConflict(_("该作答已完成，不能再上传。"))
    if answer.status != Answer.Status.RECORDING:
        raise UploadConflict(_("该作答已完成，不能再上传。"))
    chunks = list(answer.chunks.order_by("index"))
    received = sum(c.size for c in chunks)
    refused = answer.failure.removeprefix("refused: ") if answer.failure.startswith("refused: ") else ""
    if refused and not chunks and total_size > 0:
        raise UnusableRecording(unusable_message(refused), code=refused)  # the same finish again (its answer was lost)
    if received != total_size:
        raise UploadConflict(_("还有分片没有上传（已收到 %(got)s / %(total)s 字节）。") % {"got": received, "total": total_size})
    stream = _ChunkStream(chunks)
    name = answer.recording.storage.save(answer_upload_to(answer, ""), File(stream, name="answer"))
    if stream.digest.hexdigest() != sha256.lower():
        answer.recording.storage.delete(name)
        raise ValidationError(_("整段作答的校验和不一致，请重新上传。"))
    upload = {"size": total_size, "sha256": sha256.lower()}
    parts = len(_parts(answer, received)) + 1
    if parts > 1:
        name, total_size, sha256 = _join_stored(answer, chunks, name)
    try:  # bounded: the header, the first seconds (the sound decodes), the last clusters (the duration)
        with answer.recording.storage.open(name) as handle:
            facts = probe_quick(handle)
    except NotMediaError:
        _refuse(answer, name=name, code="not_media")
    if not facts["audio_s"]:
        _refuse(answer, name=name, code="no_audio")
    if min(facts["audio_s"], facts["duration_s"]) < MIN_ANSWER_S:
        _refuse(answer, name=name, code="too_short")
    question = question_for(answer.session, answer.question_index)
    if facts["duration_s"] > question["answer_s"] + DURATION_GRACE_S:
        answer.recording.storage.delete(name)
        _fail(answer, "too long")
        raise ValidationError(_("作答超过了时长上限。"))
    practice = answer.question_index < 0
    with transaction.atomic():
        answer = Answer.objects.select_for_update().get(pk=answer.pk)
        session = InterviewSession.objects.select_for_update().get(pk=answer.session_id)
        answer.recording.name = "" if practice else name  # the practice is never kept (the candidate was told so)
        answer.size, answer.sha256, answer.media = total_size, sha256.lower(), facts
        if parts > 1:  # a continued take: the stored file is the parts joined; the upload's own facts answer a repeat
            answer.media = {**facts, "parts": parts, "upload": upload}
        answer.duration_s = facts["duration_s"]
        answer.status, answer.completed_at, answer.failure = Answer.Status.COMPLETE, timezone.now(), ""
        if not facts["has_video"]:
            answer.kind = Answer.Kind.AUDIO
        # no AI analysis for a candidate who declined it (issue 20): the recording is for people to review only
        analyse = answer.question_index >= 0 and session.ai_analysis != InterviewSession.AiAnalysis.DECLINED
        if analyse:
            answer.analysis_status = Answer.Analysis.QUEUED
        answer.save()
        _supersede(answer)
        if session.state == InterviewSession.State.STARTED and answer.question_index >= 0:
            session.state = InterviewSession.State.ANSWERING
            session.save(update_fields=["state", "updated_at"])
        chunk_files = [c.data.name for c in chunks] + ([name] if practice else [])
        UploadChunk.objects.filter(answer=answer).delete()
        storage = answer.recording.storage
        transaction.on_commit(lambda: [storage.delete(n) for n in chunk_files])
        if analyse:
            from ..tasks import answer_analyse_task

            enqueue_on_commit(answer_analyse_task, answer.pk)
        _publish(session, answer)
    return answer
