"""Helpers shared by the apps' forms and services (typed input at the edge, issue 23 §4).

``model_update`` is the one way a service writes a hand-assigned block of fields (HackSoft Django Styleguide's
``model_update``): only the listed fields that changed are assigned, validated and saved.
``form_errors`` turns a bound form's errors into the ``ValidationError`` the pages and the API already answer.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from .flash import flash_errors
from .params import MAX_ID


def model_update(*, instance: models.Model, fields: list[str], data: dict[str, Any]) -> list[str]:
    """Assign ``data[name]`` for each ``name`` in ``fields`` whose value differs; when something changed, run
    ``full_clean`` on those fields (the others are as the database holds them, and an old row may predate a rule) and
    save just them (plus ``updated_at`` when the model has one). Returns the names of
    the fields that changed (``[]``: nothing was written). A name in ``data`` but not in ``fields`` is ignored;
    a name in ``fields`` that the model does not have is a programming error (``ValueError``)."""
    known = {f.name for f in instance._meta.concrete_fields} | {f.attname for f in instance._meta.concrete_fields}
    unknown = [name for name in fields if name not in known]
    if unknown:
        raise ValueError(f"{type(instance).__name__} has no field(s) {', '.join(unknown)}")
    changed = []
    for name in fields:
        if name in data and getattr(instance, name) != data[name]:
            setattr(instance, name, data[name])
            changed.append(name)
    if not changed:
        return []
    instance.full_clean(exclude=[f.name for f in instance._meta.concrete_fields if f.name not in changed and f.attname not in changed])
    update_fields = list(changed)
    if "updated_at" in known and "updated_at" not in update_fields:
        update_fields.append("updated_at")
    instance.save(update_fields=update_fields)
    return changed


def form_errors(form: forms.BaseForm) -> ValidationError:
    """A bound, invalid form's errors as one ``ValidationError`` (per field, ``__all__`` for the form's own)."""
    return ValidationError(form.errors.as_data())


def bound_or_flash(request, form_class: type[forms.BaseForm], **kwargs) -> dict | None:
    """The posted form's typed values, or None after flashing its errors (the pages that answer with a redirect)."""
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        return form.cleaned_data
    flash_errors(request, form_errors(form))
    return None


class IdListField(forms.Field):
    """Several whole-number ids (``getlist``: checkboxes, a multiple select, an order). A value that is not one is the
    field's ``invalid`` message, or is dropped when ``drop_invalid`` (a multiple select: an unknown choice is dropped
    too, and the service answers an empty choice)."""

    widget = forms.SelectMultiple
    default_error_messages = {"invalid": forms.IntegerField.default_error_messages["invalid"]}

    def __init__(self, *, drop_invalid: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.drop_invalid = drop_invalid

    def to_python(self, value) -> list[int]:
        ids = []
        for item in value or []:
            text = str(item).strip()
            if text.isdigit() and 0 < int(text) <= MAX_ID:
                ids.append(int(text))
            elif not self.drop_invalid:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return ids
