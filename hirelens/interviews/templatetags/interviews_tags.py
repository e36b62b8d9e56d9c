"""``{% can_send_ai_interview as can_send %}``: whether the reader may send AI interviews (for the
"发送AI面试" button on pages other apps own, without changing their views)."""

from django import template

from hirelens.core.roles import Perm, user_can

register = template.Library()


@register.simple_tag(takes_context=True)
def can_send_ai_interview(context) -> bool:
    request = context.get("request")
    return bool(request is not None and user_can(request.user, Perm.CANDIDATES_MANAGE))
