"""The candidate hub's 面试 and 评估 tabs, filled by the apps that own the data.

Candidates sits below scheduling, interviews and evaluations (docs/architecture.md, "Module boundaries"), so the hub
cannot read them itself: each owner registers, from its ``AppConfig.ready()``, a provider for a tab,
``hub_register("interviews", "live", provider)``, where ``provider(*, actor, candidate) -> dict`` gives the tab's
context entries read with the owner's own access rules: scheduled interviews (scheduling, the panel sees only their
positions), AI video sessions (interviews, stage permissions W2), scorecards (evaluations, blind until the reader
submitted their own; drafts never listed) and decisions of the applications the reader may see. The number of
queries depends on the candidate's applications and stages, not on how many interviews or cards there are.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import Candidate

TABS = ("interviews", "evaluations")
_providers: dict[str, dict[str, Callable[..., dict]]] = {tab: {} for tab in TABS}


def hub_register(tab: str, key: str, provider: Callable[..., dict]) -> None:
    """Add (or replace: ``key`` names it) a provider of ``tab``'s context."""
    _providers[tab][key] = provider


def hub_context(*, tab: str, actor, candidate: Candidate) -> dict:
    """The tab's context: every registered provider's entries (none registered: an empty tab)."""
    context: dict = {}
    for provider in _providers.get(tab, {}).values():
        context.update(provider(actor=actor, candidate=candidate))
    return context
