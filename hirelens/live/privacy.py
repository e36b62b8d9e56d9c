"""Export section of live interviews: rooms, consents, the recording, events, the candidate's questions, notes and
the live analysis (privacy archive, see hirelens/core/export_registry.py)."""

from __future__ import annotations

from hirelens.core.export_registry import ExportFile, Section, row


def export_candidate(candidate) -> list[Section]:
    from hirelens.live.models import LiveRoom

    rooms, files = [], []
    for room in LiveRoom.objects.filter(application__candidate=candidate).select_related("interview"):
        item = row(room, exclude=("ended_by",))
        item["title"] = room.interview.title
        item["events"] = [row(e, exclude=("actor",)) for e in room.events.all()]
        item["questions"] = [row(q, exclude=("answered_by",)) for q in room.questions.all()]
        item["notes"] = [row(n, exclude=("author",)) for n in room.notes.all()]
        item["incidents"] = [row(i, exclude=("actor", "message")) for i in room.incidents.all()]
        if room.recording:
            item["archive_path"] = f"files/live/{room.pk}/recording.webm"
            files.append(ExportFile(item["archive_path"], room.recording))
        rooms.append(item)
    return [Section("live_interviews", rooms, files)]
