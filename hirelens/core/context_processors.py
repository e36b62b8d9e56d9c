from __future__ import annotations

from django.urls import reverse

from .roles import Role, user_can
from .shell import nav_entries


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for entry in nav_entries():  # registered by each app's AppConfig.ready() (core/shell.py)
        if entry.perm is None or user_can(user, entry.perm):
            url = reverse(entry.url_name)
            items.append({"label": entry.label, "url": url, "active": request.path == url or (url != "/" and request.path.startswith(url)),
                          # e.g. the help desk's pending counter: fetched after the page loads and on each live event
                          "counter_url": reverse(entry.counter_url_name) if entry.counter_url_name else ""})
    role_label = Role(user.role).label if user.role in Role.values else ""
    return {"nav_items": items, "role_label": role_label}
