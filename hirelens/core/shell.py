"""The web shell's navigation and the dashboard, filled by the apps.

Core is the lowest layer (docs/architecture.md, "Module boundaries"): it cannot name the apps' pages or count their
rows. Each app registers its navigation entries and its dashboard panels from its ``AppConfig.ready()``; core renders
what was registered, in ``order``, for the people allowed to see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class NavEntry:
    order: int  # place in the menu, lowest first
    label: str  # a lazy translation
    url_name: str
    perm: str | None = None  # core.roles.Perm needed to see it; None: every staff member
    counter_url_name: str = ""  # a small counter fetched after the page loads (the help desk's pending tickets)


@dataclass(frozen=True, kw_only=True)
class DashboardStat:
    """A figure at the top of the dashboard, linking to its list."""

    order: int
    label: str
    url_name: str
    testid: str
    count: Callable[..., int]  # count(user) -> int, what this user may see


@dataclass(frozen=True, kw_only=True)
class DashboardSection:
    """A section below the figures: ``template`` rendered with ``panel`` = ``context(user)``; None hides it."""

    order: int
    template: str
    context: Callable[..., dict | None]


_nav: dict[str, NavEntry] = {}
_stats: dict[str, DashboardStat] = {}
_sections: dict[str, DashboardSection] = {}


def nav_register(*entries: NavEntry) -> None:
    """Add menu entries (idempotent: an entry is keyed by its URL name)."""
    for entry in entries:
        _nav[entry.url_name] = entry


def dashboard_register(*panels: DashboardStat | DashboardSection) -> None:
    """Add dashboard figures and sections (idempotent: keyed by test id and template)."""
    for panel in panels:
        if isinstance(panel, DashboardStat):
            _stats[panel.testid] = panel
        else:
            _sections[panel.template] = panel


def nav_entries() -> list[NavEntry]:
    return sorted(_nav.values(), key=lambda e: e.order)


def dashboard_stats() -> list[DashboardStat]:
    return sorted(_stats.values(), key=lambda p: p.order)


def dashboard_sections() -> list[DashboardSection]:
    return sorted(_sections.values(), key=lambda p: p.order)
