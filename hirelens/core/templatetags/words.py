"""{% load words %}: codes stored by the system shown as words in the reader's language."""

from django import template

from hirelens.core.labels import minutes_label, object_kind_label

register = template.Library()


@register.filter
def minutes(value):
    """{{ r.offset_minutes|minutes }}: 1440 -> 1 天 / 1 day."""
    return minutes_label(value)


@register.filter
def object_kind(value):
    """{{ r.subject_type|object_kind }}: scheduling.interview -> 面试 / Interview."""
    return object_kind_label(value or "")
