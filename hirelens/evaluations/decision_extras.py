"""What other apps show beside each decision on the evaluation page: registered providers (as the candidate hub's
tabs).

Evaluations sits below feedback (docs/architecture.md, "Module boundaries"), yet the page shows, beside each
decision, what the candidate was told after it. The owner registers, from its ``AppConfig.ready()``,
``decision_extra_register("feedback", provider)``, where ``provider(*, actor, application) -> {decision_id: value}``
reads with the owner's own access rules (one query, not one per decision); the page sets ``decision.<name>`` to the
value (None where the provider has none), which its template shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

DecisionExtraProvider = Callable[..., Mapping[int, Any]]
_providers: dict[str, DecisionExtraProvider] = {}


def decision_extra_register(name: str, provider: DecisionExtraProvider) -> None:
    """Add (or replace) the provider of ``decision.<name>``."""
    _providers[name] = provider


def decision_extras_attach(*, actor, application, decisions: Iterable[Any]) -> None:
    """Set every registered provider's value on each of ``decisions`` (the application's)."""
    decisions = list(decisions)
    for name, provider in _providers.items():
        values = provider(actor=actor, application=application)
        for decision in decisions:
            setattr(decision, name, values.get(decision.pk))
