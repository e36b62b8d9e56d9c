from __future__ import annotations

import hmac

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from hirelens.core.roles import Perm, user_can
from hirelens.core.timezones import ZoneField, zone_search

from . import metrics
from .health import run_checks
from .labels import field_label, object_kind_label
from .models import AuditEvent
from .selectors import audit_event_list, audit_object_types
from .shell import dashboard_sections, dashboard_stats


@login_required
def dashboard(request):
    """The figures and sections the apps registered (core/shell.py), each for what this user may see."""
    user = request.user
    stats = [{"label": stat.label, "url": reverse(stat.url_name), "testid": stat.testid, "value": stat.count(user)}
             for stat in dashboard_stats()]
    sections = [{"template": section.template, "panel": panel} for section in dashboard_sections()
                if (panel := section.context(user)) is not None]
    return render(request, "core/dashboard.html", {"stats": stats, "sections": sections})


def dashboard_recent_audit(user) -> dict | None:
    """The dashboard's latest audit entries, for those who may read the audit log."""
    if not user_can(user, Perm.AUDIT_VIEW):
        return None
    return {"events": _with_labels(audit_event_list(actor=user)[:8])}


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人"), required=False)
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部"))] + list(AuditEvent.Action.choices))
    object_type = forms.CharField(label=_("对象类型"), required=False)
    object_id = forms.CharField(label=_("对象ID"), required=False)
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _audited_meta(object_type: str):
    from django.apps import apps

    try:
        return apps.get_model(object_type)._meta if "." in object_type else None
    except LookupError:
        return None


def _with_labels(events) -> list:
    """Audit entries as a reader sees them: the object as its kind's label and id (候选人 #144, not
    candidates.candidate 144) and the fields as the model's labels (full_name -> 姓名), in the reader's language."""
    events = list(events)
    for event in events:
        meta = _audited_meta(event.object_type)
        kind = object_kind_label(event.object_type)
        if event.targets:  # one bulk entry for a list view: what was read and how many (the search finds each one)
            kinds = sorted({object_kind_label(target.rsplit(":", 1)[0]) for target in event.targets})
            separator = ", " if (translation.get_language() or "").startswith("en") else "、"
            event.object_label = f"{separator.join(kinds)} × {len(event.targets)}"
        else:
            event.object_label = f"{kind} #{event.object_id}" if event.object_id else kind
        event.field_labels = [field_label(meta, name) for name in event.fields or []]
    return events


@login_required
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_event_list(
        actor=request.user, actor_query=(filters.get("actor") or "").strip(), action=filters.get("action") or "",
        object_type=(filters.get("object_type") or "").strip(), object_id=(filters.get("object_id") or "").strip(),
        date_from=filters.get("date_from"), date_to=filters.get("date_to"),
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    page.object_list = _with_labels(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_log.html", {
        "form": form, "page": page, "query": query.urlencode(), "object_types": audit_object_types(actor=request.user),
    })


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    time_zone = ZoneField(label=_("时区"), help_text=_("员工默认使用这个时区，可在个人设置中改为自己的时区。"))
    default_language = forms.ChoiceField(label=_("默认语言"), choices=settings.LANGUAGES)
    facial_analysis_enabled = forms.BooleanField(
        label=_("启用面部分析"), required=False, help_text=_("某些司法辖区禁止面部分析：关闭后不解码任何视频帧。")
    )


@login_required
def organization_settings(request):
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect

    from .access import require_perm
    from .services import EDITABLE, organization_update

    require_perm(request.user, Perm.ORG_SETTINGS)
    organization = request.user.organization
    form = OrganizationForm(request.POST or None, initial={name: getattr(organization, name) for name in EDITABLE})
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("组织设置已保存。"))
            return redirect("core:organization_settings")
    return render(request, "core/organization_settings.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
def healthz(request):
    report = run_checks()
    return JsonResponse(report, status=200 if report["ok"] else 503)


@never_cache
def metrics_view(request):
    token = settings.METRICS_TOKEN
    if token:
        supplied = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(supplied, token):
            return HttpResponse(status=401)
    return HttpResponse(metrics.render(), content_type="text/plain; version=0.0.4; charset=utf-8")


def favicon(request):
    """Browsers and tools ask for /favicon.ico whatever the page links: send them to the SVG icon."""
    from django.http import HttpResponseRedirect
    from django.templatetags.static import static

    response = HttpResponseRedirect(static("hirelens/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    response.hirelens_cacheable = True  # no personal data: SecurityHeadersMiddleware leaves the caching alone
    return response


@requires_csrf_token
def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """The 500 page (config/urls.py handler500). Like Django's own handler it renders without the request's context
    (a failing context processor or database must not break the error page); it only asks whether a staff member is
    signed in, who keeps the link to the dashboard: a candidate is never pointed at staff pages. Any failure while
    asking means no link."""
    from django.http import HttpResponseServerError
    from django.template import loader

    try:
        staff = bool(request.user.is_authenticated)
    except Exception:  # the session or user table may be what failed
        staff = False
    return HttpResponseServerError(loader.get_template("500.html").render({"staff": staff}))


def time_zones(request):
    """The time-zone picker's search: ``?q=北京`` → {"results": [{"value", "label", "name"}]} in the reader's language.
    Public (no personal data): the same list serves staff forms and any page that asks for a zone."""
    response = JsonResponse({"results": zone_search(request.GET.get("q", "")[:60])})
    response["Cache-Control"] = "private, max-age=300"
    return response

