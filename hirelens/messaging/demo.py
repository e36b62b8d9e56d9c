"""Demo data: keyword replies, a help-desk conversation and, without the scheduling app, stand-in
invitations and reminders (with it, the scheduling demo's interviews send real ones). Idempotent. The request for a
new portal link from the dead-link page is the portal's demo (portal/demo.py).

Messages go out through the worker that `make run` starts: without WeChat credentials they fall back
to e-mail, which lands in var/mail/ without SMTP.
"""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from hirelens.core.links import absolute_url

from .models import Reminder, Ticket, TicketMessage, WeChatBinding
from .services import message_send, reminders_plan, ticket_reply
from .services.config import messaging_policy_save

INVITES = [
    ("赵磊", "销售代表", 2, ["AI视频面试", "情景模拟：客户拒绝签约", "直播面试"], ["10 分钟项目 PPT"]),
    ("周杰", "后端工程师", 3, ["在线编程", "直播面试"], ["近期项目的架构图"]),
    ("Emily Chen", "管培生 (2027届)", 4, ["AI video interview", "Case analysis"], ["A 3-word self-description"]),
]


def _wechat_account(org) -> None:
    """The settings page filled in as a customer would (AppID, template ids per message kind), without a secret, so
    nothing is sent to WeChat until an HR admin enters theirs and tests the connection."""
    from .models import ChannelAccount

    ChannelAccount.objects.get_or_create(organization=org, provider="wechat", defaults={
        "app_id": "wx5f1e0c1d2a3b4c5d", "original_id": "gh_3f0e1d2c3b4a",
        "templates": {
            "invitation": {"template_id": "demo-invite-7Kx2", "fields": {"thing1": "{position}", "time2": "{time}"}},
            "reminder": {"template_id": "demo-remind-9Qp4", "fields": {"thing1": "{position}", "time2": "{time}"}},
        },
    })


def load(ctx):
    org, admin = ctx.organization, ctx.users.get("admin")
    if admin is None:
        return
    if admin.organization_id != org.pk:
        return
    _wechat_account(org)
    messaging_policy_save(actor=admin, keyword_replies=[
        {"keyword": "地址", "reply": "线上面试无需到场；现场面试地址：上海市浦东新区世纪大道 100 号 18 楼。"},
        {"keyword": "改期", "reply": "如需改期，请直接回复您方便的时间，HR 会尽快与您确认。"},
    ])
    # With the scheduling app, its demo interviews produce the real invitations and reminders (through
    # the interview events, see integrations.py); stand-ins are only needed without it.
    invites = [] if apps.is_installed("hirelens.scheduling") else INVITES
    base = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    for name, title, days, steps, materials in invites:
        candidate = ctx.candidates.get(name)
        if candidate is None:
            continue
        starts = base + timedelta(days=days)
        interview_id = f"demo-{candidate.pk}"
        variables = {"position": title, "starts_at": starts.isoformat(), "time_zone": org.time_zone,
                     "link": absolute_url(f"/portal/demo/{candidate.pk}/"), "steps": steps, "materials": materials}
        message_send(organization_id=org.pk, kind="invitation", candidate=candidate, variables=variables,
                     language="en" if name == "Emily Chen" else None,
                     subject_type="scheduling.interview", subject_id=interview_id, idempotency_key=f"demo-invite-{candidate.pk}")
        if not Reminder.objects.filter(organization=org, subject_type="scheduling.interview", subject_id=interview_id).exists():
            reminders_plan(organization_id=org.pk, subject_type="scheduling.interview", subject_id=interview_id, starts_at=starts,
                           candidate_id=candidate.pk, user_ids=[ctx.users["interviewer"].pk] if "interviewer" in ctx.users else [],
                           variables={k: v for k, v in variables.items() if k != "starts_at"})

    candidate = ctx.candidates.get("孙悦")
    if candidate is not None and not Ticket.objects.filter(organization=org, candidate=candidate).exists():
        binding = WeChatBinding.objects.create(organization=org, candidate=candidate, openid="oDEMO_sunyue_4f2a9c1e7b3d",
                                               last_inbound_at=timezone.now())
        ticket = Ticket.objects.create(organization=org, candidate=candidate, binding=binding, source=Ticket.Source.WECHAT,
                                       last_message_at=timezone.now())
        TicketMessage.objects.create(organization=org, ticket=ticket, direction=TicketMessage.Direction.INBOUND,
                                     body="您好，面试链接在微信里打不开，一直显示空白页。")
        ticket_reply(actor=admin, ticket=ticket, body="您好！请点右上角「…」选择「在浏览器打开」，或使用我们稍后发送的备用链接。")
        TicketMessage.objects.create(organization=org, ticket=ticket, direction=TicketMessage.Direction.INBOUND,
                                     body="用浏览器可以打开了，谢谢！")
        ticket.status = Ticket.Status.OPEN
        ticket.save(update_fields=["status", "updated_at"])
    candidate = ctx.candidates.get("吴芳")
    if candidate is not None and not Ticket.objects.filter(organization=org, candidate=candidate).exists():
        ticket = Ticket.objects.create(organization=org, candidate=candidate, source=Ticket.Source.WEB,
                                       page="/i/…/", step="device", subject_type="interviews.session",
                                       subject_label="后端工程师 · AI视频面试", last_message_at=timezone.now())
        TicketMessage.objects.create(organization=org, ticket=ticket, direction=TicketMessage.Direction.INBOUND,
                                     body="摄像头检测一直失败，可以只用语音面试吗？")
    _answered_history(ctx, org, admin)
    ctx.log.append("messaging: help-desk tickets; invitations and reminders follow the scheduled interviews")


def _answered_history(ctx, org, admin) -> None:
    """Answered tickets of the last days, so the first-response table (median, share within the goal) has figures."""
    if Ticket.objects.filter(organization=org, page="/demo/").exists():
        return
    now = timezone.now()
    history = [("郑爽", 3, 6, "上传资料时提示文件太大怎么办？", "请压缩为 PDF（10 MB 以内）后再上传。"),
               ("吴芳", 3, 25, "面试可以改到周末吗？", "可以，已为您开放周六上午的时间。"),
               ("赵磊", 2, 9, "AI 面试提交后还能修改吗？", "提交后不能修改，HR 会看到您提交的回答。"),
               ("Emily Chen", 1, 4, "Can I take the AI interview in English?", "Yes, the interview is in English.")]
    for name, days, minutes, question, answer in history:
        candidate = ctx.candidates.get(name)
        if candidate is None:
            continue
        asked = now - timedelta(days=days, hours=2)
        ticket = Ticket.objects.create(organization=org, candidate=candidate, source=Ticket.Source.WEB, page="/demo/",
                                       status=Ticket.Status.CLOSED, last_message_at=asked + timedelta(minutes=minutes),
                                       first_response_at=asked + timedelta(minutes=minutes))
        Ticket.objects.filter(pk=ticket.pk).update(created_at=asked)
        TicketMessage.objects.create(organization=org, ticket=ticket, direction=TicketMessage.Direction.INBOUND, body=question)
        TicketMessage.objects.create(organization=org, ticket=ticket, direction=TicketMessage.Direction.OUTBOUND, body=answer,
                                     author=admin)
