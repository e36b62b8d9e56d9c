"""Demo data plumbing: each app may ship ``<app>/demo.py`` with ``load(ctx: DemoContext)``.

``manage.py load_demo`` calls them in INSTALLED_APPS order; each must be idempotent (create only
what is missing), so `make run` can load the demo on every start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

from .roles import Role

DEMO_PASSWORD = "HireLens-demo-2026"

# The demo's staff, key, e-mail, name, role: created by accounts' demo, printed by `manage.py serve` (`make run`)
DEMO_STAFF = [
    ("admin", "admin@demo.hirelens.local", "王敏", Role.HR_ADMIN),
    ("recruiter", "recruiter@demo.hirelens.local", "李娜", Role.RECRUITER),
    ("interviewer", "interviewer@demo.hirelens.local", "张伟", Role.INTERVIEWER),
    ("cto", "cto@demo.hirelens.local", "陈强", Role.INTERVIEWER),
    ("manager", "manager@demo.hirelens.local", "刘洋", Role.HIRING_MANAGER),
]


@dataclass
class DemoContext:
    organization: object
    other_organization: object
    users: dict = field(default_factory=dict)  # key ("admin", "recruiter", ...) -> User
    positions: dict = field(default_factory=dict)  # title -> Position
    candidates: dict = field(default_factory=dict)  # name -> Candidate
    extra: dict = field(default_factory=dict)  # anything a later app wants to hand to the next
    log: list = field(default_factory=list)


def demo_modules():
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if config.name.startswith("hirelens.") and config.name != "hirelens.core" and find_spec(name) is not None:
            yield import_module(name)


_done: list = []


def demo_done_register(step) -> None:
    """``step(ctx)`` runs after every app's demo step, in the load's transaction (analytics counts its funnel anew)."""
    if step not in _done:
        _done.append(step)


def demo_done(ctx: DemoContext) -> None:
    for step in _done:
        step(ctx)


_made: dict = {}


def made_once(key: tuple, make, *args, **kwargs):
    """``make(*args, **kwargs)``'s result, computed once per process for ``key``: the demo's synthesised recordings (VP8 encoding of a
    face, seconds per clip) are the same every time, and a process that loads the demo more
    than once (the test suite does, in a fresh database each time) should not encode them again. Only deterministic,
    synthetic things go here: never a person's data."""
    if key not in _made:
        _made[key] = make(*args, **kwargs)
    return _made[key]
