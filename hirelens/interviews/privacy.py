"""Export section of the AI video interviews: sessions, consents, answers with their recordings (decrypted),
transcripts and analysis reports (privacy archive, see hirelens/core/export_registry.py)."""

from __future__ import annotations

from hirelens.core.export_registry import ExportFile, Section, row


def export_candidate(candidate) -> list[Section]:
    from hirelens.interviews.models import Answer, InterviewSession

    sessions, files, consents = [], [], []
    for session in InterviewSession.objects.filter(application__candidate=candidate).select_related("application__position"):
        item = row(session, exclude=("token_hash", "link_token", "stage"))
        item["position_title"] = session.application.position.title
        answers = []
        for answer in Answer.objects.filter(session=session).exclude(status=Answer.Status.DISCARDED):
            a = row(answer, exclude=("analysis_lease_until", "analysis_attempts", "analysis_error"))
            if answer.recording:
                a["archive_path"] = f"files/interviews/{session.pk}/answer-{answer.question_index + 1}-{answer.pk}.{answer.extension}"
                files.append(ExportFile(a["archive_path"], answer.recording))
            answers.append(a)
        item["answers"] = answers
        sessions.append(item)
        consents.append({"source": "ai_interview", "session": session.pk, "position_title": item["position_title"],
                         "consents": session.consents, "biometric_allowed": session.biometric_allowed})
    return [Section("ai_interviews", sessions, files), Section("consents", consents)]
