"""Erasure of a candidate's messages beyond the foreign keys (``hirelens.core.erasure``).

The candidate's own messages, delivery attempts, reminders, bindings, tickets and help links cascade from the record
(a visitor's thread link with its ticket). Here:
staff notifications and reminders about the candidate's interviews, sessions, surveys, links or tickets (by
``subject_type`` / ``subject_id``), messages and visitor tickets that reach the person by an address rather than the
record, mails that the file backend wrote to ``EMAIL_FILE_PATH`` (scrubbed message by message: one file may hold
several people's mails), and queued delivery tasks."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from hirelens.core.mailfiles import mail_files, mail_text, split_mail_file

from .models import Message, Reminder, Ticket

# subject_type -> the model label whose ids it names
SUBJECTS = {
    "interviews.session": "interviews.interviewsession",
    "scheduling.interview": "scheduling.interview",
    "scheduling.link": "scheduling.interviewlink",
    "feedback.survey": "feedback.survey",
    "feedback.case": "feedback.feedbackcase",
    "portal.link": "portal.portallink",
    "messaging.ticket": "messaging.ticket",
    "messaging.help": "messaging.helplink",
    "live.room": "live.liveroom",
}


def _subject_filter(ctx) -> Q:
    q = Q(pk__in=[])
    for subject_type, label in SUBJECTS.items():
        ids = [str(i) for i in ctx.ids(label)]
        if ids:
            q |= Q(subject_type=subject_type, subject_id__in=ids)
    return q


def _texts(message: Message) -> str:
    return "\n".join([message.address or "", message.subject or "", message.body or "", message.variables or "",
                      message.ics or ""])


def erase(ctx) -> None:
    org = ctx.organization_id
    others = Message.objects.filter(organization_id=org, candidate__isnull=True)
    doomed = set(others.filter(_subject_filter(ctx)).values_list("pk", flat=True))
    if ctx.values:  # messages reaching the person by address, or naming them (a staff notice): decrypted here only
        for message in others.exclude(pk__in=doomed).iterator(chunk_size=500):
            if ctx.matches(_texts(message)):
                doomed.add(message.pk)
    if doomed:
        ctx.counts["messaging.message"] += len(doomed)
        Message.objects.filter(pk__in=doomed).delete()
    ctx.add_queue("message_deliver_task", doomed | ctx.ids("messaging.message"))
    ctx.add_queue("messages_deliver_task", doomed | ctx.ids("messaging.message"))
    ctx.add_queue("interview_notify_task", ctx.ids("scheduling.interview"))

    reminders = Reminder.objects.filter(organization_id=org, candidate__isnull=True).filter(_subject_filter(ctx))
    n, _ = reminders.delete()
    if n:
        ctx.counts["messaging.reminder"] += n

    if ctx.values:
        visitor = [t.pk for t in Ticket.objects.filter(organization_id=org, candidate__isnull=True)
                   if t.contact and ctx.matches(t.contact)]
        if visitor:
            ctx.counts["messaging.ticket"] += len(visitor)
            Ticket.objects.filter(pk__in=visitor).delete()

    _mails(ctx)


def _mails(ctx) -> None:
    folder = Path(getattr(settings, "EMAIL_FILE_PATH", "") or "")
    if not ctx.values or not str(folder) or not folder.is_dir():
        return
    try:
        folder.resolve().relative_to(Path(settings.VAR_DIR).resolve())
    except ValueError:
        return  # mails outside VAR_DIR are not ours to touch
    for path in mail_files(folder):
        parts = [hashlib.sha256(raw).hexdigest() for raw in split_mail_file(path.read_bytes()) if ctx.matches(mail_text(raw))]
        if parts:
            ctx.counts["mail"] += len(parts)
            ctx.add_path(path, parts)
