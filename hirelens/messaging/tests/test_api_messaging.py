"""Messages (outbox) and the help desk through the real HTTP API with an API key."""

from __future__ import annotations

import pytest

from hirelens.core.models import AuditEvent
from hirelens.integrations.testing import api_client, make_api_key
from hirelens.messaging.models import Message, Ticket, TicketMessage
from hirelens.messaging.services import message_send, ticket_open_web

from .factories import CandidateFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/messaging"


@pytest.fixture
def hr(hr_admin):
    return api_client(make_api_key(hr_admin)[1])


def _message(org, name="张伟", *, kind="invitation", status=Message.Status.QUEUED, channel="", candidate=None):
    candidate = candidate or CandidateFactory(organization=org, full_name=name)
    m = message_send(organization_id=org.pk, kind=kind, candidate=candidate, enqueue=False,
                     variables={"position": "后端工程师", "time": "2026-03-02 10:00", "link": "https://example.invalid/x"})
    Message.objects.filter(pk=m.pk).update(status=status, channel=channel, error="邮箱不存在" if status == "failed" else "")
    return Message.objects.get(pk=m.pk)


def test_message_list_has_names_labels_and_no_text(org, hr):
    sent = _message(org, "张伟", status=Message.Status.SENT, channel="email")
    failed = _message(org, "李娜", kind="reminder", status=Message.Status.FAILED)
    body = hr.get(f"{BASE}/messages").json()
    assert [row["id"] for row in body["items"]] == [failed.pk, sent.pk] and body["next"] is None
    row = body["items"][1]
    assert (row["candidate_name"], row["recipient_name"], row["status"], row["status_label"], row["channel_label"], row["kind_label"]) == (
        "张伟", "张伟", "sent", "已发送", "邮件", "面试邀请")
    assert "body" not in row and "subject" not in row
    assert body["items"][0]["error"] == "邮箱不存在"
    assert [r["id"] for r in hr.get(f"{BASE}/messages?status=failed").json()["items"]] == [failed.pk]
    assert [r["id"] for r in hr.get(f"{BASE}/messages?kind=reminder").json()["items"]] == [failed.pk]
    assert [r["id"] for r in hr.get(f"{BASE}/messages?channel=email").json()["items"]] == [sent.pk]
    assert [r["id"] for r in hr.get(f"{BASE}/messages?candidate={sent.candidate_id}").json()["items"]] == [sent.pk]
    read = AuditEvent.objects.filter(action=AuditEvent.Action.READ).latest("pk")  # the last list: one message
    assert read.targets == [f"candidates.candidate:{sent.candidate_id}"] and read.actor_label.endswith("API: 测试集成")


def test_message_list_cursor_and_query_count(org, hr, django_assert_max_num_queries):
    ids = [_message(org, f"候选人{i}").pk for i in range(6)]
    first = hr.get(f"{BASE}/messages?limit=4").json()
    second = hr.get(f"{BASE}/messages?limit=4&cursor={first['next']}").json()
    assert [r["id"] for r in first["items"] + second["items"]] == ids[::-1] and second["next"] is None
    with django_assert_max_num_queries(12):
        assert len(hr.get(f"{BASE}/messages?limit=6").json()["items"]) == 6


def test_message_get_shows_text_and_audits(org, hr):
    m = _message(org, "张伟")
    answer = hr.get(f"{BASE}/messages/{m.pk}")
    assert answer.status_code == 200 and answer["ETag"]
    data = answer.json()
    assert data["body"] == m.body and "张伟" in data["body"] and data["attempts"] == []
    audit = AuditEvent.objects.filter(action=AuditEvent.Action.READ, object_type="messaging.message", object_id=str(m.pk))
    assert audit.count() == 1


def test_messages_other_tenant_and_roles(org, other_org, hr, outsider, interviewer, hr_admin):
    m = _message(org)
    foreign = api_client(make_api_key(outsider)[1])
    assert foreign.get(f"{BASE}/messages/{m.pk}").status_code == 404
    assert foreign.get(f"{BASE}/messages").json()["items"] == []
    assert foreign.get(f"{BASE}/messages?candidate={m.candidate_id}").status_code == 404
    denied = api_client(make_api_key(interviewer)[1]).get(f"{BASE}/messages")
    assert (denied.status_code, denied.json()["title"]) == (403, "没有权限。")
    assert api_client(make_api_key(interviewer)[1]).get(f"{BASE}/messages/{m.pk}").status_code == 404
    scoped = api_client(make_api_key(hr_admin, scopes=["feedback:write"])[1], "en").get(f"{BASE}/messages")
    assert scoped.status_code == 403 and scoped.json()["required_scope"] == "messaging:read"
    assert scoped.json()["title"] == "The API key lacks the required scope."
    bad = hr.get(f"{BASE}/messages?status=lost&channel=pigeon")
    assert bad.status_code == 400 and {e["loc"][-1] for e in bad.json()["errors"]} == {"status", "channel"}


def _ticket(org, name="王芳", body="面试链接打不开"):
    candidate = CandidateFactory(organization=org, full_name=name)
    return ticket_open_web(organization_id=org.pk, candidate=candidate, body=body, page="/i/abc/", step="camera")


def test_ticket_list_detail_reply_close(org, hr, hr_admin):
    first = _ticket(org, "王芳")
    second = _ticket(org, "赵磊", "录像上传失败")
    listed = hr.get(f"{BASE}/tickets").json()
    assert [r["id"] for r in listed["items"]] == [second.pk, first.pk]
    assert (listed["items"][0]["candidate_name"], listed["items"][0]["status_label"], listed["items"][0]["message_count"]) == (
        "赵磊", "待处理", 1)
    detail = hr.get(f"{BASE}/tickets/{first.pk}")
    assert detail.json()["messages"][0]["body"] == "面试链接打不开" and detail.json()["messages"][0]["direction"] == "in"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ, object_type="messaging.ticket", object_id=str(first.pk)).exists()
    etag = detail["ETag"]
    reply = hr.post(f"{BASE}/tickets/{first.pk}/reply", {"body": "请换用 Chrome 再试。"}, content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY="r1")
    assert reply.status_code == 201 and reply.json()["author_name"] == hr_admin.full_name
    again = hr.post(f"{BASE}/tickets/{first.pk}/reply", {"body": "请换用 Chrome 再试。"}, content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY="r1")
    assert again.json() == reply.json()
    assert TicketMessage.objects.filter(ticket=first, direction="out").count() == 1
    assert Message.objects.filter(kind="helpdesk_reply").count() == 1
    first.refresh_from_db()
    assert first.status == Ticket.Status.ANSWERED and first.first_response_at is not None
    stale = hr.post(f"{BASE}/tickets/{first.pk}/close", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    first.refresh_from_db()
    assert first.status == Ticket.Status.ANSWERED
    fresh = hr.get(f"{BASE}/tickets/{first.pk}")["ETag"]
    closed = hr.post(f"{BASE}/tickets/{first.pk}/close", HTTP_IF_MATCH=fresh)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert [r["id"] for r in hr.get(f"{BASE}/tickets?status=open").json()["items"]] == [second.pk]


def test_ticket_reply_refused_and_resend_without_link(org, hr):
    t = _ticket(org)
    empty = hr.post(f"{BASE}/tickets/{t.pk}/reply", {"body": "   "}, content_type="application/json")
    assert empty.status_code == 422
    assert hr.post(f"{BASE}/tickets/{t.pk}/reply", {}, content_type="application/json").status_code == 400
    assert hr.post(f"{BASE}/tickets/{t.pk}/resend").status_code == 422
    assert not TicketMessage.objects.filter(ticket=t, direction="out").exists()


def test_tickets_other_tenant_and_role(org, hr, outsider, interviewer):
    t = _ticket(org)
    foreign = api_client(make_api_key(outsider)[1])
    assert foreign.get(f"{BASE}/tickets/{t.pk}").status_code == 404
    assert foreign.post(f"{BASE}/tickets/{t.pk}/reply", {"body": "x"}, content_type="application/json").status_code == 404
    assert foreign.post(f"{BASE}/tickets/{t.pk}/close").status_code == 404
    assert foreign.get(f"{BASE}/tickets").json()["items"] == []
    assert api_client(make_api_key(interviewer)[1]).get(f"{BASE}/tickets").status_code == 403
    t.refresh_from_db()
    assert t.status == Ticket.Status.OPEN and not TicketMessage.objects.filter(direction="out").exists()


def test_ticket_list_query_count_and_stats(org, hr, django_assert_max_num_queries):
    for i in range(5):
        _ticket(org, f"候选人{i}")
    with django_assert_max_num_queries(12):
        assert len(hr.get(f"{BASE}/tickets?limit=5").json()["items"]) == 5
    seen, cursor = [], ""
    for _page in range(3):
        body = hr.get(f"{BASE}/tickets?limit=2&cursor={cursor}").json()
        seen += [r["id"] for r in body["items"]]
        cursor = body["next"]
    assert cursor is None and sorted(seen) == sorted(Ticket.objects.values_list("pk", flat=True)) and len(set(seen)) == 5
    stats = hr.get(f"{BASE}/tickets/stats").json()
    assert (stats["open"], stats["answered"], stats["closed"]) == (5, 0, 0)
    assert stats["days"][0]["tickets"] == 5
    assert hr.get(f"{BASE}/tickets/stats?zone=Mars/Base").status_code == 400
