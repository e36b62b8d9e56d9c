"""HR admin pages for webhooks: the endpoints, one endpoint (edit, rotate, delete) with its delivery log and resend."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hirelens.candidates.forms import apply_errors
from hirelens.core.access import require_perm
from hirelens.core.roles import Perm

from . import selectors, services
from .access import access_delivery, access_endpoint
from .forms import DeliveryFilterForm, EndpointEditForm, EndpointForm


def _secret_page(request, endpoint, secret: str, *, rotated: bool):
    return render(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret, "rotated": rotated})


@login_required
def endpoint_list(request):
    require_perm(request.user, Perm.ORG_SETTINGS)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _secret_page(request, endpoint, secret, rotated=False)
    endpoints = selectors.endpoint_list(actor=request.user)
    return render(request, "webhooks/list.html", {"form": form, "endpoints": endpoints}, status=400 if form.errors else 200)


@login_required
def endpoint_detail(request, endpoint_id: int):
    endpoint = access_endpoint(actor=request.user, endpoint_id=endpoint_id)
    initial = {"url": endpoint.url, "description": endpoint.description, "event_types": endpoint.event_types, "active": endpoint.active}
    form = EndpointEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(actor=request.user, endpoint=endpoint, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Webhook 地址已保存。"))
            return redirect("webhooks:detail", endpoint.pk)
    filters = DeliveryFilterForm(request.GET or None)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    deliveries = selectors.delivery_list(actor=request.user, endpoint=endpoint, state=state)
    page = Paginator(deliveries, 25).get_page(request.GET.get("page"))
    return render(request, "webhooks/detail.html", {"endpoint": endpoint, "form": form, "filters": filters, "state": state, "page": page},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def endpoint_rotate(request, endpoint_id: int):
    endpoint = access_endpoint(actor=request.user, endpoint_id=endpoint_id)
    endpoint, secret = services.endpoint_rotate_secret(actor=request.user, endpoint=endpoint, request=request)
    return _secret_page(request, endpoint, secret, rotated=True)


@login_required
@require_POST
def endpoint_delete(request, endpoint_id: int):
    endpoint = access_endpoint(actor=request.user, endpoint_id=endpoint_id)
    services.endpoint_delete(actor=request.user, endpoint=endpoint, request=request)
    messages.success(request, _("Webhook 地址已删除。"))
    return redirect("webhooks:list")


@login_required
@require_POST
def delivery_resend(request, endpoint_id: int, delivery_id: int):
    endpoint = access_endpoint(actor=request.user, endpoint_id=endpoint_id)
    delivery = access_delivery(actor=request.user, delivery_id=delivery_id, endpoint=endpoint)
    try:
        services.delivery_resend(actor=request.user, delivery=delivery, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已重新排队发送。"))
    return redirect("webhooks:detail", endpoint.pk)
