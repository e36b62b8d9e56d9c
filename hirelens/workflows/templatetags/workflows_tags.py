"""Template access to the stage module registry: ``{% load workflows_tags %}`` then ``stage.module|module_spec``
gives the stage's ``ModuleSpec`` (None for an unknown module), so a template includes the spec's partial or tests
its capability instead of comparing the module's name."""

from django import template

from hirelens.workflows.modules import ModuleSpec, find_module_spec

register = template.Library()


@register.filter
def module_spec(module: str) -> ModuleSpec | None:
    return find_module_spec(module)
