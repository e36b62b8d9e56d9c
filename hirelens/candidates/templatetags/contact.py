"""{% load contact %}: a candidate's contact details masked (``candidates.masking``)."""

from django import template

from hirelens.candidates import masking

register = template.Library()


@register.filter
def masked(value, field):
    """{{ candidate.phone|masked:"phone" }} -> 138****1234 (always masked: the record page reveals on request)."""
    return masking.mask(str(value or ""), field)


@register.simple_tag(takes_context=True)
def contact(context, value, field):
    """{% contact candidate.phone "phone" %}: the full value for readers with the contact permission, else masked."""
    request = context.get("request")
    return masking.contact_for(getattr(request, "user", None), str(value or ""), field)


@register.simple_tag(takes_context=True)
def contact_text(context, text):
    """{% contact_text candidate.resume_text %}: phones, e-mails and ID numbers in free text masked for readers
    without the contact permission."""
    request = context.get("request")
    return masking.text_for(getattr(request, "user", None), str(text or ""))


@register.filter
def masked_text(text):
    """{{ candidate.resume_text|masked_text }}: phones, e-mails and ID numbers in free text masked (for everyone: the
    record reveals contact details one by one, audited)."""
    return masking.mask_text(str(text or ""))
