"""The one road to a final status (S1), declared where the lower apps need it and filled by evaluations.

Moving an application to 未通过 (rejected) or 已录用 (hired) is a person's decision, and a decision is evaluations'
(``evaluations.services.decision_record``: a reason of substance, a human evaluation or an explicit "without
evaluation" reason, the pipeline move, the ``decision.recorded`` event feedback answers). Candidates and workflows
sit below evaluations (docs/architecture.md, "Module boundaries"), yet their pages, API and services offer those
moves: the status field of an application (``candidates.services.records.application_update``), the board's and the
progress page's 未通过 button and the pipeline API's reject and hire. They call ``decision_record_via`` here;
``EvaluationsConfig.ready`` registers ``decision_record`` as the one recorder.

Why a hook and not moving those actions up: the status field is part of the application's edit (stage and status in
one service call), and the board's move form and the pipeline API's move operations are one endpoint for every
action (advance, hold, reject ...) sharing their ETag and answer; splitting reject and hire out would put a second
route on the same URL or copy that plumbing. The hook keeps one entry point, typed, and fails loudly: with no
recorder registered a final status is refused, never written without its decision.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

from .models import Application


class DecisionRecorder(Protocol):
    """``evaluations.services.decision_record``'s signature, as far as the lower apps use it."""

    def __call__(self, *, actor: Any, application: Application, outcome: str, rationale: str = "",
                 next_steps: str = "", without_evaluation: bool = False, without_evaluation_reason: str = "",
                 request: Any = None) -> Any: ...


_recorder: DecisionRecorder | None = None


def decision_recorder_register(recorder: DecisionRecorder) -> None:
    """Called once from ``EvaluationsConfig.ready()`` (a second call replaces the first)."""
    global _recorder
    _recorder = recorder


def decision_record_via(*, actor: Any, application: Application, outcome: str, rationale: str = "",
                        next_steps: str = "", without_evaluation: bool = False, without_evaluation_reason: str = "",
                        request: Any = None) -> Any:
    """Record a person's decision (``outcome``: ``reject``, ``hire``, ``advance``, ``hold``) through the registered
    recorder, with its rules and errors (``ValidationError``, ``PermissionDenied``). Returns the decision."""
    if _recorder is None:
        raise ImproperlyConfigured("No decision recorder is registered: hirelens.evaluations must be installed to "
                                   "reject or hire (a final status is always a recorded decision).")
    return _recorder(actor=actor, application=application, outcome=outcome, rationale=rationale, next_steps=next_steps,
                     without_evaluation=without_evaluation, without_evaluation_reason=without_evaluation_reason,
                     request=request)
