from django import template

from hirelens.accounts.roles import user_can as _user_can

register = template.Library()


@register.filter
def can(user, perm: str) -> bool:
    """``{% if request.user|can:"messaging.configure" %}`` — the same table as ``user_can``."""
    return _user_can(user, perm)
