from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hirelens.core.roles import Perm, Role, user_can

# (label, url name, required permission or None)
NAVIGATION = [
    (_("工作台"), "core:dashboard", None),
    (_("职位"), "positions:index", None),
    (_("候选人"), "candidates:index", None),
    (_("数据导入"), "imports:index", Perm.CANDIDATES_IMPORT),
    (_("面试安排"), "scheduling:availability", None),
    (_("全部面试"), "scheduling:interviews", None),  # every interview the reader may see, filtered and paged
    (_("AI视频面试"), "interviews:index", None),
    (_("评估"), "evaluations:index", None),
    (_("反馈与调查"), "feedback:dashboard", Perm.MESSAGING_VIEW),
    (_("数据分析"), "analytics:index", Perm.ANALYTICS_VIEW),
    (_("消息"), "messaging:outbox", Perm.MESSAGING_VIEW),
    (_("候选人求助"), "messaging:helpdesk", Perm.MESSAGING_HELPDESK),
    (_("隐私请求"), "privacy:list", Perm.CANDIDATES_MANAGE),
    (_("成员与角色"), "accounts:user_list", Perm.USERS_MANAGE),
    (_("审计日志"), "core:audit_log", Perm.AUDIT_VIEW),
    (_("偏差审计"), "fairness:report", Perm.COMPLIANCE_VIEW),
    (_("组织设置"), "core:organization_settings", Perm.ORG_SETTINGS),
]


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, perm in NAVIGATION:
        if perm is None or user_can(user, perm):
            url = reverse(name)
            items.append({"label": label, "url": url, "active": request.path == url or (url != "/" and request.path.startswith(url)),
                          # the help desk's pending counter: fetched after the page loads and on each live event
                          "counter_url": reverse("messaging:helpdesk_pending") if name == "messaging:helpdesk" else ""})
    role_label = Role(user.role).label if user.role in Role.values else ""
    return {"nav_items": items, "role_label": role_label}
