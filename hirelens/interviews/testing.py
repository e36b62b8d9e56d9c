"""For tests of what a candidate does through their AI interview link: a LinkActor obtained the way the pages obtain one."""

from __future__ import annotations

from hirelens.core import tokens
from hirelens.core.actors import LinkActor

from .access import access_session_actor
from .models import SESSION_LINK, InterviewSession


def session_actor_for(session: InterviewSession, token: str | None = None) -> LinkActor:
    """The candidate of ``session`` acting through its link, verified by ``access_session_actor``. Without ``token`` a
    fresh one is minted (the session's earlier token stops opening)."""
    return access_session_actor(token=token if token is not None else tokens.mint(SESSION_LINK, session))
