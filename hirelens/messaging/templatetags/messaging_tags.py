from django import template

from hirelens.accounts.roles import user_can as _user_can

register = template.Library()


@register.filter
def can(user, perm: str) -> bool:
    """``{% if request.user|can:"messaging.configure" %}`` — the same table as ``user_can``."""
    return _user_can(user, perm)


@register.simple_tag
def help_desk_url(candidate, page: str = "") -> str:
    """``{% load messaging_tags %}{% help_desk_url candidate request.path %}``: the "report a problem" link
    any candidate page can show (a signed token; the form opens a help-desk ticket)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from hirelens.messaging.services.helpdesk import help_link_token

    url = reverse("messaging:help", kwargs={"token": help_link_token(candidate=candidate)})
    return f"{url}?{urlencode({'page': page})}" if page else url
