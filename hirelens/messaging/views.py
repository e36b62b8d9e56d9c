from __future__ import annotations

import logging

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from hirelens.candidates.selectors import candidate_ids_matching
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_list_read, audit_record, client_ip
from hirelens.core.forms import form_errors
from hirelens.core.links import absolute_url
from hirelens.core.models import AuditEvent, Organization
from hirelens.core.params import query_int
from hirelens.core.roles import Perm
from hirelens.core.timezones import viewer_zone

from .access import access_message, access_ticket
from .forms import HelpForm, NewLinkForm, TemplateEditForm, TicketReplyForm
from .models import Kind, Message, Reminder, Ticket
from .rendering import VARIABLES
from .selectors import first_response_by_day, message_list, reminder_list, ticket_list, ticket_pending_count, ticket_stats
from .services import config as config_services
from .services import helpdesk, inbound
from .services.messages import template_for
from .wxcrypto import CallbackError, MalformedCallback

logger = logging.getLogger(__name__)


def _named(qs, request):
    """The rows about the candidates whose name matches the page's ``q`` (name, pinyin, initials, Latin prefix)."""
    q = request.GET.get("q", "").strip()
    if not q:
        return qs
    return qs.filter(candidate_id__in=candidate_ids_matching(request.user.organization_id, q))


@login_required
def outbox(request):
    require_perm(request.user, Perm.MESSAGING_VIEW)
    status = request.GET.get("status", "")
    page = Paginator(_named(message_list(actor=request.user, status=status), request), 30).get_page(request.GET.get("page"))
    audit_list_read(request=request, candidates=[m.candidate for m in page])
    return render(request, "messaging/outbox.html", {"page": page, "status": status, "statuses": Message.Status.choices})


@login_required
def message_detail(request, message_id: int):
    message = access_message(actor=request.user, message_id=message_id)
    audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=message, fields=["subject", "body"], request=request)
    return render(request, "messaging/message_detail.html", {"message": message, "attempts": message.attempts.all()})


@login_required
def reminders(request):
    require_perm(request.user, Perm.MESSAGING_VIEW)
    status = request.GET.get("status", Reminder.Status.PLANNED)
    page = Paginator(_named(reminder_list(actor=request.user, status=status), request), 50).get_page(request.GET.get("page"))
    audit_list_read(request=request, candidates=[r.candidate for r in page])
    return render(request, "messaging/reminders.html", {"page": page, "status": status, "statuses": Reminder.Status.choices})


@login_required
def helpdesk_inbox(request):
    require_perm(request.user, Perm.MESSAGING_HELPDESK)
    status = request.GET.get("status", "")
    tickets = list(_named(ticket_list(actor=request.user, status=status), request)[:100])
    audit_list_read(request=request, candidates=[t.candidate for t in tickets])
    context = {"tickets": tickets, "status": status, "statuses": Ticket.Status.choices, "stats": ticket_stats(actor=request.user),
               "by_day": first_response_by_day(actor=request.user, goal_minutes=helpdesk.FIRST_RESPONSE_GOAL_MINUTES,
                                               zone=viewer_zone(request, request.user.organization.time_zone))}
    template = "messaging/_ticket_rows.html" if request.htmx else "messaging/helpdesk.html"
    return render(request, template, context)


@login_required
def helpdesk_pending(request):
    """The navigation's counter of tickets waiting for HR (reloaded on each ``helpdesk.message`` event)."""
    return render(request, "messaging/_pending.html", {"helpdesk_pending": ticket_pending_count(actor=request.user)})


def _thread_context(ticket):
    return {"ticket": ticket, "thread": ticket.messages.select_related("author", "outbound"),
            "can_resend": helpdesk.ticket_can_resend(ticket)}


@login_required
def ticket_detail(request, ticket_id: int):
    ticket = access_ticket(actor=request.user, ticket_id=ticket_id)
    helpdesk.ticket_read(actor=request.user, ticket=ticket, request=request)
    template = "messaging/_ticket_thread.html" if request.htmx else "messaging/ticket_detail.html"
    return render(request, template, _thread_context(ticket))


@login_required
@require_POST
def ticket_reply(request, ticket_id: int):
    ticket = access_ticket(actor=request.user, ticket_id=ticket_id)
    form = TicketReplyForm(request.POST)
    form.is_valid()  # free text: the service refuses a blank answer with its own message
    try:
        helpdesk.ticket_reply(actor=request.user, ticket=ticket, body=form.cleaned_data["body"])
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    if request.htmx:
        return render(request, "messaging/_ticket_thread.html", _thread_context(ticket))
    return redirect("messaging:ticket", ticket_id=ticket.pk)


@login_required
@require_POST
def ticket_resend(request, ticket_id: int):
    """One click: a working link for what the ticket is about, sent to the candidate and recorded as the answer."""
    ticket = access_ticket(actor=request.user, ticket_id=ticket_id)
    try:
        helpdesk.ticket_resend(actor=request.user, ticket=ticket, request=request)
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        flash.success(request, _("已重新发送链接。"))
    return redirect("messaging:ticket", ticket_id=ticket.pk)


@login_required
@require_POST
def ticket_close(request, ticket_id: int):
    ticket = access_ticket(actor=request.user, ticket_id=ticket_id)
    helpdesk.ticket_close(actor=request.user, ticket=ticket)
    return redirect("messaging:helpdesk")


@login_required
def template_index(request):
    require_perm(request.user, Perm.MESSAGING_VIEW)
    rows = []
    for kind, label in Kind.choices:
        for language in ("zh-hans", "en"):
            subject, _body = template_for(organization_id=request.user.organization_id, kind=kind, language=language)
            rows.append({"kind": kind, "label": label, "language": language, "subject": subject})
    return render(request, "messaging/templates.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, kind: str, language: str):
    require_perm(request.user, Perm.MESSAGING_VIEW)
    if kind not in Kind.values or language not in ("zh-hans", "en"):
        raise Http404
    subject, body = template_for(organization_id=request.user.organization_id, kind=kind, language=language)
    error = ""
    if request.method == "POST":
        form = TemplateEditForm(request.POST)
        form.is_valid()  # free text: the service checks the placeholders
        subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
        try:
            if request.POST.get("action") == "save":
                config_services.message_template_save(actor=request.user, kind=kind, language=language, subject=subject, body=body)
                flash.success(request, _("模板已保存。"))
                return redirect("messaging:templates")
            if request.POST.get("action") == "reset":
                config_services.message_template_reset(actor=request.user, kind=kind, language=language)
                return redirect("messaging:templates")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    preview = None
    if not error:
        try:
            preview = config_services.message_template_preview(actor=request.user, kind=kind, language=language,
                                                               subject=subject, body=body)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    context = {"kind": kind, "kind_label": Kind(kind).label, "language": language, "subject": subject, "body": body,
               "preview": preview, "error": error, "variables": sorted(VARIABLES.items())}
    if request.htmx and request.POST.get("action") == "preview":
        return render(request, "messaging/_template_preview.html", context)
    return render(request, "messaging/template_edit.html", context)


def _organization(slug: str) -> Organization:
    organization = Organization.objects.filter(slug=slug, is_active=True).first()
    if organization is None:
        raise Http404
    return organization


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wechat_callback(request, org_slug: str):
    """The official account's message-push URL. Configure it as https://<host>/messaging/wechat/<org>/callback."""
    organization = _organization(org_slug)
    try:
        if request.method == "GET":
            return HttpResponse(inbound.wechat_callback_verify(organization=organization, params=request.GET),
                                content_type="text/plain")
        reply = inbound.wechat_callback_receive(organization=organization, params=request.GET, body=request.body)
    except MalformedCallback as exc:
        logger.warning("bad WeChat callback for %s: %s", org_slug, exc)
        return HttpResponseBadRequest("bad request", content_type="text/plain")
    except CallbackError as exc:
        logger.warning("refused WeChat callback for %s: %s", org_slug, exc)
        return HttpResponseForbidden("forbidden", content_type="text/plain")
    return HttpResponse(reply, content_type="application/xml" if reply.startswith("<") else "text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wecom_callback(request, org_slug: str):
    organization = _organization(org_slug)
    try:
        if request.method == "GET":
            return HttpResponse(inbound.wecom_callback_verify(organization=organization, params=request.GET),
                                content_type="text/plain")
        inbound.wecom_callback_receive(organization=organization, params=request.GET, body=request.body)
    except MalformedCallback:
        return HttpResponseBadRequest("bad request", content_type="text/plain")
    except CallbackError as exc:
        logger.warning("refused WeCom callback for %s: %s", org_slug, exc)
        return HttpResponseForbidden("forbidden", content_type="text/plain")
    return HttpResponse("success", content_type="text/plain")


@require_http_methods(["GET", "POST"])
def help_form(request, token: str):
    """The candidate's help page (M3): their threads with HR's answers and a reply box each, and a new question with
    the page and the step they came from. The help link's token is the only credential (never a ticket id alone);
    a dead one answers as every candidate link does (unknown 404, expired or withdrawn 410, "ask for a new link")."""
    from hirelens.core.tokens import LinkDead

    from .services.deadlinks import dead_link_render

    try:
        access = helpdesk.help_link_open(token)
    except LinkDead:
        return dead_link_render(request, "messaging/help_dead.html", kind="help", token=token)
    page, step = request.GET.get("page", "")[:300], request.GET.get("step", "")[:64]
    error, status, body = "", 200, ""
    if request.method == "POST":
        form = HelpForm(request.POST)
        page = (form["page"].value() or "")[:300] if "page" in form.data else page
        step = (form["step"].value() or "")[:64] if "step" in form.data else step
        try:
            if not form.is_valid():
                raise form_errors(form)
            data = form.cleaned_data
            if form.data.get("ticket"):
                ticket = helpdesk.ticket_follow_up(access=access, ticket_id=data["ticket"], body=data["body"],
                                                   ip=client_ip(request) or "")
            elif access.candidate is None:
                raise ValidationError(_("请在对话中回复。"))
            else:
                ticket = helpdesk.ticket_open_web(
                    organization_id=access.organization_id, candidate=access.candidate, body=data["body"],
                    page=data["page"], step=data["step"], subject_type=access.subject_type, subject_id=access.subject_id,
                    subject_label=_subject_label(access), ip=client_ip(request) or "")
        except ValidationError as exc:
            error, status, body = " ".join(exc.messages), 400, form["body"].value() or ""
        else:
            return redirect(f"{request.path}?sent={ticket.pk}#ticket-{ticket.pk}")
    response = render(request, "messaging/help_form.html", {
        "threads": helpdesk.candidate_threads(access=access), "can_ask": access.candidate is not None,
        "error": error, "page": page, "step": step, "sent": query_int(request.GET, "sent"), "body": body,
    }, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _subject_label(access) -> str:
    """The position (and interview title) a help link's subject is about, for HR's inbox."""
    from .services.deadlinks import subject_title

    return subject_title(access.subject_type, access.subject_id, organization_id=access.organization_id)


@require_POST
def new_link(request, kind: str, token: str):
    """"Ask for a new link" from a dead-link page: the link is looked up again from its token (never from the
    form), so the ticket names the right candidate and link; an unknown link asks for a contact."""
    from .services.deadlinks import KINDS, dead_link_language, dead_link_resolve

    if kind not in KINDS:
        raise Http404
    dead = dead_link_resolve(kind=kind, token=token)
    form = NewLinkForm(request.POST)
    form.is_valid()  # free text: the service asks for what is missing
    with translation.override(dead_link_language(request, dead)):
        try:
            ticket = helpdesk.new_link_request(dead=dead, body=form.cleaned_data["body"], contact=form.cleaned_data["contact"],
                                               ip=client_ip(request) or "")
        except ValidationError as exc:
            response = render(request, "messaging/new_link_done.html",
                              {"error": " ".join(exc.messages), "dead": dead, "dead_token": token}, status=400)
        else:
            thread = reverse("messaging:help", args=[helpdesk.help_link_token(candidate=ticket.candidate, ticket=ticket)])
            response = render(request, "messaging/new_link_done.html", {"ticket": ticket, "dead": dead, "thread_url": thread})
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def channel_settings(request):
    """HR admins: the organization's WeChat / WeCom accounts (forms with validation and a connection test),
    channel order, reminder offsets, auto-replies."""
    from .channels.wxclient import account_config
    from .forms import PolicyForm, SettingsSectionForm, WeChatSettingsForm, WeComSettingsForm
    from .models import Channel, ChannelAccount
    from .services.connection import channel_connection_test
    from .services.policy import CANDIDATE_ORDER, STAFF_ORDER, policy_for, reminder_offsets

    require_perm(request.user, Perm.MESSAGING_CONFIGURE)
    org_id = request.user.organization_id
    error, status, results = "", 200, {}
    accounts = {a.provider: a for a in ChannelAccount.objects.filter(organization_id=org_id)}
    section = None
    if request.method == "POST":
        which = SettingsSectionForm(request.POST)
        if which.is_valid():
            section = which.cleaned_data["section"]
        else:
            error, status = " ".join(which.errors["section"]), 400
    forms_by_provider = {
        "wechat": WeChatSettingsForm(request.POST if section == "wechat" else None, account=accounts.get("wechat"), prefix="wechat"),
        "wecom": WeComSettingsForm(request.POST if section == "wecom" else None, account=accounts.get("wecom"), prefix="wecom"),
    }
    if section in forms_by_provider:
        form = forms_by_provider[section]
        if not form.is_valid():
            status = 400
        elif request.POST.get("action") == "test":
            data, effective = form.cleaned_data, account_config(organization_id=org_id, provider=section)
            results[section] = channel_connection_test(
                actor=request.user, provider=section, api_base=data["api_base"] or effective.api_base,
                app_id=data["app_id"] or effective.app_id, secret=data["secret"] or effective.secret)
        else:
            data = form.cleaned_data
            try:
                config_services.channel_account_save(
                    actor=request.user, provider=section, app_id=data["app_id"], secret=data["secret"], token=data["token"],
                    encoding_aes_key=data["encoding_aes_key"], agent_id=data.get("agent_id", ""),
                    original_id=data.get("original_id", ""), api_base=data["api_base"],
                    templates=form.templates if section == "wechat" else None,
                    subscribe_templates=form.subscribe_templates if section == "wechat" else None)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
                status = 400
            else:
                flash.success(request, _("设置已保存。"))
                return redirect("messaging:settings")
    policy = policy_for(org_id)
    policy_form = PolicyForm(request.POST if section == "policy" else None, policy=policy, offsets=reminder_offsets(org_id),
                             prefix="policy")
    if section == "policy":
        if policy_form.is_valid():
            try:
                config_services.messaging_policy_save(actor=request.user, fallback=policy_form.fallback,
                                                      reminder_offsets=policy_form.cleaned_data["reminder_offsets"],
                                                      keyword_replies=policy_form.keyword_replies)
            except ValidationError as exc:
                for message in exc.messages:
                    policy_form.add_error(None, message)
            else:
                flash.success(request, _("设置已保存。"))
                return redirect("messaging:settings")
        status = 400
    stored = {provider: {name: bool(getattr(accounts.get(provider), name, "")) for name in ("secret", "token", "encoding_aes_key")}
              for provider in ("wechat", "wecom")}
    context = {
        "error": error, "wechat_form": forms_by_provider["wechat"], "wecom_form": forms_by_provider["wecom"],
        "stored": stored, "results": results,
        "wechat_effective": account_config(organization_id=org_id, provider="wechat").usable,
        "wecom_effective": account_config(organization_id=org_id, provider="wecom").usable,
        "policy_form": policy_form,
        "default_candidate_order": " → ".join(str(Channel(c).label) for c in CANDIDATE_ORDER),
        "default_staff_order": " → ".join(str(Channel(c).label) for c in STAFF_ORDER),
        "callback_url": absolute_url(reverse("messaging:wechat_callback", args=[request.user.organization.slug]), request=request),
        "wecom_callback_url": absolute_url(reverse("messaging:wecom_callback", args=[request.user.organization.slug]),
                                           request=request),
    }
    return render(request, "messaging/settings.html", context, status=status)


@require_http_methods(["GET"])
def wechat_bind(request, org_slug: str, token: str):
    """A candidate opens their binding link inside WeChat: silent OAuth (snsapi_base) yields the openid,
    which is attached to the candidate of the one-time token."""
    organization = _organization(org_slug)
    code = request.GET.get("code")
    try:
        if code is None:
            if inbound.binding_token_find(organization=organization, token=token) is None:
                raise Http404
            here = absolute_url(request.path, request=request)
            return redirect(inbound.wechat_oauth_url(organization=organization, token=token, redirect_uri=here))
        inbound.wechat_oauth_bind(organization=organization, code=code, state=request.GET.get("state", ""))
    except CallbackError as exc:
        logger.warning("WeChat binding failed for %s: %s", org_slug, exc)
        return render(request, "messaging/bind_done.html", {"ok": False}, status=400)
    return render(request, "messaging/bind_done.html", {"ok": True})
