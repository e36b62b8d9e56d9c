"""HR withdraws the help links of a ticket's person (services/help_links.py)."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .access import access_ticket
from .services import help_links


@login_required
@require_POST
def ticket_help_links_revoke(request, ticket_id: int):
    ticket = access_ticket(actor=request.user, ticket_id=ticket_id)
    count = help_links.ticket_help_links_revoke(actor=request.user, ticket=ticket, request=request)
    flash.success(request, ngettext("已撤销 %(count)d 个求助链接；候选人页面会换上新链接。",
                                    "已撤销 %(count)d 个求助链接；候选人页面会换上新链接。", count) % {"count": count})
    return redirect("messaging:ticket", ticket_id=ticket.pk)
