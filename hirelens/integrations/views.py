"""HR admin pages for API keys (/settings/api-keys/): the list, a new key shown once, revocation with a confirmation."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hirelens.core.access import require_perm
from hirelens.core.roles import Perm

from .access import access_api_key
from .forms import ApiKeyForm
from .selectors import api_key_list
from .services import api_key_create, api_key_revoke


@login_required
def api_keys(request):
    page = Paginator(api_key_list(actor=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "integrations/api_keys.html", {"page": page})


@never_cache  # the page that shows the secret must not stay in any cache
@login_required
def api_key_new(request):
    require_perm(request.user, Perm.ORG_SETTINGS)
    form = ApiKeyForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        expires_at = None
        if data["expires_on"]:  # valid through the chosen day, in the reader's time zone
            expires_at = timezone.make_aware(datetime.combine(data["expires_on"] + timedelta(days=1), time.min))
        try:
            key, token = api_key_create(actor=request.user, user=data["user"], name=data["name"], scopes=data["scopes"],
                                        expires_at=expires_at, rate_limit=data["rate_limit"], request=request)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                field = "expires_on" if field == "expires_at" else field
                form.add_error(field if field in form.fields else None, errors)
        else:
            # shown once, on this answer only: nothing stores the secret, a reload does not bring it back
            return render(request, "integrations/api_key_created.html", {"key": key, "token": token}, status=201)
    return render(request, "integrations/api_key_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def api_key_revoke_view(request, key_id: int):
    key = access_api_key(actor=request.user, key_id=key_id)
    if request.method == "POST":
        api_key_revoke(actor=request.user, key=key, request=request)
        messages.success(request, _("已吊销密钥“%(name)s”：使用它的调用从现在起都会被拒绝。") % {"name": key.name})
        return redirect("integrations:api_keys")
    return render(request, "integrations/api_key_revoke.html", {"key": key})
