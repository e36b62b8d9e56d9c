from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hirelens.core.access import get_for_actor, tenant_queryset
from hirelens.core.flash import flash_errors
from hirelens.core.roles import AssignmentRole, Perm, user_can

from . import services
from .access import access_position
from .forms import AssignForm, PositionForm
from .models import Position, PositionAssignment
from .selectors import position_list


@login_required
def position_index(request):
    positions = position_list(actor=request.user, search=request.GET.get("q", "").strip(), status=request.GET.get("status", ""))
    page = Paginator(positions, 20).get_page(request.GET.get("page"))
    return render(request, "positions/position_list.html", {"page": page, "statuses": Position.Status.choices,
                                                           "perms_manage": user_can(request.user, Perm.POSITIONS_MANAGE)})


@login_required
def position_new(request):
    from hirelens.core.access import require_perm

    require_perm(request.user, Perm.POSITIONS_MANAGE)
    form = PositionForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            position = services.position_create(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("职位已创建。"))
            return redirect("positions:detail", position_id=position.pk)
    return render(request, "positions/position_form.html", {"form": form, "position": None})


@login_required
def position_edit(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    from hirelens.core.access import require_perm

    require_perm(request.user, Perm.POSITIONS_MANAGE)
    form = PositionForm.for_position(position, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.position_update(actor=request.user, position=position, request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("职位已保存。"))
            return redirect("positions:detail", position_id=position.pk)
    return render(request, "positions/position_form.html", {"form": form, "position": position})


@login_required
def position_detail(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    return _detail_page(request, position)


def _detail_page(request, position, *, assign_form=None, status: int = 200):
    """The position page; after a refused assignment, with the form's messages (400)."""
    from django.contrib.auth import get_user_model

    can_manage = user_can(request.user, Perm.POSITIONS_MANAGE)
    members = (
        tenant_queryset(get_user_model().objects.filter(is_active=True), actor=request.user).order_by("full_name")
        if can_manage else []
    )
    return render(request, "positions/position_detail.html", {
        "position": position, "assignments": position.assignments.select_related("user").order_by("role", "user__full_name"),
        "can_manage": can_manage, "members": members, "assignment_roles": AssignmentRole.choices,
        "keywords": [(k, (position.keyword_synonyms or {}).get(k) or []) for k in position.keywords or []],
        "assign_form": assign_form,
    }, status=status)


@login_required
@require_POST
def position_assign(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    from django.contrib.auth import get_user_model

    from hirelens.core.access import require_perm

    require_perm(request.user, Perm.POSITIONS_MANAGE)  # a refusal before any input is read (the service checks again)
    form = AssignForm(request.POST)
    if not form.is_valid():  # a malformed member or an unknown role: the page again with the message, nothing written
        return _detail_page(request, position, assign_form=form, status=400)
    user = get_for_actor(get_user_model().objects.all(), actor=request.user, pk=form.cleaned_data["user"])
    try:
        services.position_assign(actor=request.user, position=position, user=user, role=form.cleaned_data["role"],
                                 request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已指派 %(name)s。") % {"name": user.full_name})
    return redirect("positions:detail", position_id=position.pk)


@login_required
@require_POST
def position_unassign(request, position_id: int, assignment_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    assignment = get_for_actor(PositionAssignment.objects.filter(position=position), actor=request.user, pk=assignment_id)
    if assignment.position_id != position.pk:
        raise Http404
    services.position_unassign(actor=request.user, assignment=assignment, request=request)
    messages.success(request, _("已取消指派。"))
    return redirect("positions:detail", position_id=position.pk)
