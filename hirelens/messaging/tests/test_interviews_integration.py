"""Scheduling events drive messaging: invitation with .ics and links, interviewer notices, reminders;
a move re-plans and re-invites; a cancellation cancels reminders and sends the calendar CANCEL."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytest.importorskip("hirelens.scheduling.services")

from conftest import SMTPSink  # noqa: E402
from hirelens.messaging.models import Message, Reminder  # noqa: E402
from hirelens.messaging.services import message_deliver  # noqa: E402
from hirelens.scheduling import services as scheduling  # noqa: E402
from hirelens.workflows.tests.factories import assign, make_application, make_position  # noqa: E402

pytestmark = pytest.mark.django_db


def local(days=3, hour=10, zone="Asia/Shanghai"):
    """``hour`` o'clock in ``zone``, ``days`` ahead, as an instant (the scheduling services take aware times)."""
    from zoneinfo import ZoneInfo

    from hirelens.core.timezones import parse_local

    day = (timezone.now().astimezone(ZoneInfo(zone)) + timedelta(days=days)).date()
    return parse_local(f"{day.isoformat()}T{hour:02d}:00", zone)


def deliver_all():
    for message in Message.objects.filter(status="queued"):
        message_deliver(message_id=message.pk)


def test_scheduled_moved_cancelled(org, hr_admin, interviewer, smtp_server, django_capture_on_commit_callbacks):
    position = make_position(org, title="销售代表", time_zone="Asia/Shanghai")
    assign(position, interviewer, "interviewer")
    application = make_application(position, "赵磊")
    candidate = application.candidate
    candidate.email = "zhao.lei@example.com"
    candidate.save()
    with django_capture_on_commit_callbacks(execute=True):
        interview = scheduling.interview_schedule(actor=hr_admin, application=application, start=local(3, 10), end=local(3, 11),
                                                  interviewers=[interviewer], time_zone="Asia/Shanghai")
    deliver_all()
    kinds = sorted(Message.objects.values_list("kind", "channel"))
    assert kinds == [("interviewer_notice", "email"), ("invitation", "email")]
    mails = {m["To"]: m for m in smtp_server.wait_for(2)}
    invite = mails["zhao.lei@example.com"]
    text = SMTPSink.text_of(invite)
    import json

    links = {m.kind: json.loads(m.variables)["link"] for m in Message.objects.all()}
    assert "10:00 北京时间（UTC+08:00）" in text and links["invitation"] in text
    assert links["interviewer_notice"] in SMTPSink.text_of(mails[interviewer.email])
    assert links["invitation"] != links["interviewer_notice"]  # each their own token
    calendar = [p for p in invite.iter_attachments() if p.get_content_type() == "text/calendar"][0].get_content()
    assert f"UID:{interview.uid}" in calendar and "METHOD:REQUEST" in calendar
    interviewer_text = SMTPSink.text_of(mails[interviewer.email])
    assert "请准备" not in interviewer_text  # empty lines are left out
    planned = Reminder.objects.filter(status="planned")
    assert sorted((r.candidate_id, r.user_id, r.offset_minutes) for r in planned if r.candidate_id) == [
        (candidate.pk, None, 60), (candidate.pk, None, 1440)]
    assert sorted(r.offset_minutes for r in planned if r.user_id == interviewer.pk) == [60, 1440]
    assert json.loads(planned.get(user=interviewer, offset_minutes=60).variables)["link"] == links["interviewer_notice"]
    # The same event again (a retried job) sends nothing new.
    from hirelens.messaging.integrations import interview_notify

    interview_notify(event="interview.scheduled", organization_id=org.pk, interview_id=interview.pk)
    assert Message.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        interview = scheduling.interview_reschedule(actor=hr_admin, interview=interview, start=local(4, 15), end=local(4, 16))
    deliver_all()
    assert Message.objects.filter(kind="reschedule").count() == 1
    assert Reminder.objects.filter(status="superseded").count() == 4
    moved = Reminder.objects.filter(status="planned", candidate=candidate, offset_minutes=60).get()
    assert moved.starts_at == interview.start_at

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.interview_cancel(actor=hr_admin, interview=interview, reason="候选人时间冲突")
    deliver_all()
    assert not Reminder.objects.filter(status="planned").exists()
    cancel = Message.objects.get(kind="cancellation", candidate=candidate)
    assert cancel.status == "sent" and "METHOD:CANCEL" in cancel.ics
