from django import template

from hirelens.core.roles import user_can as _user_can

register = template.Library()


@register.filter
def can(user, perm: str) -> bool:
    """``{% if request.user|can:"messaging.configure" %}`` — the same table as ``user_can``."""
    return _user_can(user, perm)


@register.simple_tag
def help_desk_url(candidate, page: str = "", step: str = "", subject_type: str = "", subject_id=None) -> str:
    """``{% load messaging_tags %}{% help_desk_url candidate request.path "booking" "scheduling.link" link.pk as help_href %}
    {% include "messaging/_help_link.html" %}``: the "need help?" link every candidate page shows (a signed token
    naming the candidate and the subject; the page and the step travel with the question). Empty without a candidate."""
    from hirelens.messaging.services.helpdesk import help_url

    if candidate is None:
        return ""
    return help_url(candidate=candidate, page=page or "", step=step or "", subject_type=subject_type or "",
                    subject_id=subject_id or None)


@register.simple_tag
def ticket_help_links(ticket):
    """``{% ticket_help_links ticket as links %}``: the help links of the ticket's person that open now
    (services/help_links.py), for HR's ticket page."""
    from hirelens.messaging.services.help_links import ticket_live_help_links

    return ticket_live_help_links(ticket)
