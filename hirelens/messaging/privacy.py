"""Export section of messages sent to the candidate, WeChat bindings, help-desk tickets and help links
(privacy archive, see hirelens/core/export_registry.py)."""

from __future__ import annotations

from hirelens.core.export_registry import Section, row


def export_candidate(candidate) -> list[Section]:
    from hirelens.messaging.models import HelpLink, Message, Ticket, WeChatBinding

    messages = [row(m, exclude=("variables", "ics", "idempotency_key", "locked_until", "retry_at", "binding", "user"))
                for m in Message.objects.filter(candidate=candidate).order_by("created_at", "pk")]
    bindings = [row(b, exclude=("openid_index", "custom_sent_in_window")) for b in WeChatBinding.objects.filter(candidate=candidate)]
    tickets = []
    for ticket in Ticket.objects.filter(candidate=candidate).prefetch_related("messages"):
        item = row(ticket, exclude=("ip_hash", "binding", "contact"))
        item["messages"] = [row(m, exclude=("author", "outbound")) for m in ticket.messages.all()]
        tickets.append(item)
    # the links of their help page: what they were about and until when (the token is a credential, never exported)
    help_links = [row(link, exclude=("token_hash", "token", "candidate", "ticket"))
                  for link in HelpLink.objects.filter(candidate=candidate).order_by("created_at", "pk")]
    return [Section("messages", messages), Section("wechat", bindings), Section("helpdesk_tickets", tickets),
            Section("help_links", help_links)]
