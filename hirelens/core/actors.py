"""Who acts: a staff user, a candidate through a verified link (the portal or another), or the system — capabilities, not flags.

- A service a candidate may call from the portal takes ``actor: User | PortalActor``. A ``PortalActor`` is built only
  by ``hirelens.portal.access`` (the one holder of the portal seal, claimed when that module is imported), after it
  verified the link; it carries the link, the candidate and the organization the link was verified for, and a service
  refuses a write to any other candidate's record (``PortalActor.owns``).
- A candidate acting through one of their other links (an AI interview link, a booking link) is a ``LinkActor``:
  built only by ``hirelens.core.tokens.resolve_actor`` (the one holder of the link seal) from a token it found live,
  so holding one proves the link was presented; it carries the link's kind, the link row, its candidate and
  organization, and a service refuses it any other candidate's record (``LinkActor.owns``) or another link's row.
- A candidate in a live interview room is a ``RoomGuestActor``: built only by ``hirelens.live.access`` (the one holder
  of the live seal) after it checked that this browser session opened the interview's candidate link; it carries the
  room, its candidate and organization, and the room services take it instead of a "by the candidate" flag.
- Work no person does (the retention worker, a management command, the demo loader, an import) passes a named
  ``SystemActor`` with a reason; the audit log stores ``system:<name>:<reason>`` and shows it in words
  (``actor_label_text``), in the reader's language.

Neither is a user: ``is_authenticated`` is False, so ``require_perm`` refuses both and no staff permission check can
be passed by one of them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, gettext_lazy

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

PORTAL_ACCESS_MODULE = "hirelens.portal.access"
TOKENS_MODULE = "hirelens.core.tokens"
LIVE_ACCESS_MODULE = "hirelens.live.access"
SYSTEM_PREFIX = "system:"
PORTAL_PREFIX = "portal:"
LINK_PREFIX = "link:"


class _Seal:
    """The capability that builds PortalActors (one, held by ``hirelens.portal.access``) or LinkActors (one, held by
    ``hirelens.core.tokens``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<seal>"


_seals: dict[str, _Seal] = {}  # holder module → its seal, handed out once


def _claim(holder: str) -> _Seal:
    caller = sys._getframe(2).f_globals.get("__name__")
    if caller != holder or holder in _seals:
        raise PermissionDenied(f"only {holder} holds this seal")
    _seals[holder] = _Seal()
    return _seals[holder]


def _holds(holder: str, seal) -> bool:
    return holder in _seals and seal is _seals[holder]


def portal_seal() -> _Seal:
    """Hand the portal seal to ``hirelens.portal.access``, once; any other caller, or a second claim, raises."""
    return _claim(PORTAL_ACCESS_MODULE)


def link_seal() -> _Seal:
    """Hand the link seal to ``hirelens.core.tokens``, once; any other caller, or a second claim, raises."""
    return _claim(TOKENS_MODULE)


def live_seal() -> _Seal:
    """Hand the live-room seal to ``hirelens.live.access``, once; any other caller, or a second claim, raises."""
    return _claim(LIVE_ACCESS_MODULE)


class _CandidateByLink:
    """What a candidate acting through one of their links can say about a record: it is theirs, or not."""

    candidate: Any
    organization_id: int
    is_authenticated = False  # never a user: require_perm refuses it

    @property
    def candidate_id(self) -> int:
        return self.candidate.pk

    def owns(self, candidate) -> bool:
        """The record is the candidate's this link was verified for (same candidate, same organization)."""
        return candidate is not None and candidate.pk == self.candidate.pk and candidate.organization_id == self.organization_id


@dataclass(frozen=True, eq=False, init=False)
class PortalActor(_CandidateByLink):
    """A candidate acting through a portal link that ``hirelens.portal.access`` verified.

    ``link`` is a ``portal.PortalLink`` and ``candidate`` its ``candidates.Candidate`` (core does not import the apps
    above it). The seal is checked and not kept, so holding a PortalActor does not let anyone build another."""

    link: Any
    candidate: Any
    organization_id: int

    is_authenticated = False  # never a user: require_perm refuses it

    def __init__(self, *, link, candidate, seal: _Seal):
        if not _holds(PORTAL_ACCESS_MODULE, seal):
            raise PermissionDenied("a PortalActor is built only by hirelens.portal.access")
        if link.candidate_id != candidate.pk or link.organization_id != candidate.organization_id:
            raise PermissionDenied("the portal link belongs to another candidate")
        object.__setattr__(self, "link", link)
        object.__setattr__(self, "candidate", candidate)
        object.__setattr__(self, "organization_id", link.organization_id)

    @property
    def audit_label(self) -> str:
        return f"{PORTAL_PREFIX}link:{self.link.pk}"


@dataclass(frozen=True, eq=False, init=False)
class LinkActor(_CandidateByLink):
    """A candidate acting through a link of theirs other than the portal (``kind``: a ``core.tokens`` link kind such as
    ``interviews.session`` or ``scheduling.link``) that ``core.tokens.resolve_actor`` found live.

    ``link`` is the link's row (the interview session, the booking link) and ``candidate`` the candidate it was sent
    to. The seal is checked and not kept, as for a PortalActor."""

    kind: str
    link: Any
    candidate: Any
    organization_id: int

    is_authenticated = False  # never a user: require_perm refuses it

    def __init__(self, *, kind: str, link, candidate, seal: _Seal):
        if not _holds(TOKENS_MODULE, seal):
            raise PermissionDenied("a LinkActor is built only by hirelens.core.tokens.resolve_actor")
        if link.organization_id != candidate.organization_id:
            raise PermissionDenied("the link belongs to another organization's candidate")
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "link", link)
        object.__setattr__(self, "candidate", candidate)
        object.__setattr__(self, "organization_id", link.organization_id)

    def opened(self, kind: str, row) -> bool:
        """``row`` is this very link's row of ``kind`` (the session or booking link a service is asked to change)."""
        return self.kind == kind and row is not None and type(row) is type(self.link) and row.pk == self.link.pk

    @property
    def audit_label(self) -> str:
        return f"{LINK_PREFIX}{self.kind}:{self.link.pk}"


@dataclass(frozen=True, eq=False, init=False)
class RoomGuestActor(_CandidateByLink):
    """The candidate in a live interview room, as ``hirelens.live.access.candidate_room_actor`` verified them (this
    browser session opened the interview's candidate or backup link). ``room`` is a ``live.LiveRoom``; a room service
    refuses the actor for any other room (``in_room``). The seal is checked and not kept."""

    room: Any
    candidate: Any
    organization_id: int

    is_authenticated = False  # never a user: require_perm refuses it

    def __init__(self, *, room, seal: _Seal):
        if not _holds(LIVE_ACCESS_MODULE, seal):
            raise PermissionDenied("a RoomGuestActor is built only by hirelens.live.access")
        candidate = room.application.candidate
        if candidate.organization_id != room.organization_id:
            raise PermissionDenied("the room belongs to another organization's candidate")
        object.__setattr__(self, "room", room)
        object.__setattr__(self, "candidate", candidate)
        object.__setattr__(self, "organization_id", room.organization_id)

    def in_room(self, room) -> bool:
        return room is not None and room.pk == self.room.pk and room.organization_id == self.organization_id

    @property
    def audit_label(self) -> str:
        return f"{LINK_PREFIX}live.room:{self.room.pk}"


SystemName = Literal["worker", "command", "import", "demo"]
SYSTEM_NAMES = {
    "worker": gettext_lazy("系统（后台任务）"),
    "command": gettext_lazy("系统（运维命令）"),
    "import": gettext_lazy("系统（数据导入）"),
    "demo": gettext_lazy("系统（演示数据）"),
}


@dataclass(frozen=True)
class SystemActor:
    """The system acting by itself. ``reason`` is a msgid marked with ``gettext_noop``: the audit log stores it as
    written (zh-Hans) and shows it translated."""

    name: SystemName
    reason: str = ""

    is_authenticated = False  # never a user: require_perm refuses it

    def __post_init__(self):
        if self.name not in SYSTEM_NAMES:
            raise ValueError(f"unknown system actor {self.name!r}")

    @property
    def audit_label(self) -> str:
        return f"{SYSTEM_PREFIX}{self.name}" + (f":{self.reason}" if self.reason else "")

    def __str__(self) -> str:
        return actor_label_text(self.audit_label)


Actor: TypeAlias = "AbstractBaseUser | PortalActor | LinkActor | RoomGuestActor | SystemActor"


def actor_label_text(label: str) -> str:
    """An audit entry's ``actor_label`` as a reader sees it: a staff e-mail as stored, the system and the candidate's
    portal in words of the reader's language (never the stored code)."""
    if label.startswith(SYSTEM_PREFIX):
        name, _sep, reason = label[len(SYSTEM_PREFIX):].partition(":")
        words = str(SYSTEM_NAMES.get(name, gettext("系统")))
        return f"{words} · {gettext(reason)}" if reason else words
    if label.startswith(PORTAL_PREFIX):
        return gettext("候选人本人（候选人中心）")
    if label.startswith(LINK_PREFIX):
        from .tokens import kind_words

        kind = label[len(LINK_PREFIX):].rpartition(":")[0]
        return gettext("候选人本人（%(link)s）") % {"link": kind_words(kind) or gettext("候选人链接")}
    return label
