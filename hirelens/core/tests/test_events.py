"""The event declarations (hirelens.core.events): every event a frozen dataclass with typed fields of plain kinds, a
unique name, an audience when it is relayed live, an object field that exists, and a payload that is JSON."""

from __future__ import annotations

import dataclasses
import json
import types
import typing

import pytest

from hirelens.core import events
from hirelens.core.realtime import AUDIENCE_RULES

PLAIN = {int, str, bool, float, type(None)}


def _plain(tp) -> bool:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return all(_plain(arg) for arg in typing.get_args(tp))
    if origin is tuple:
        args = typing.get_args(tp)
        return len(args) == 2 and args[1] is Ellipsis and _plain(args[0])
    return tp in PLAIN


def _sample(tp):
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return _sample(next(a for a in typing.get_args(tp) if a is not type(None)))
    if origin is tuple:
        return (_sample(typing.get_args(tp)[0]),)
    return {int: 7, str: "code", bool: True, float: 1.5}[tp]


@pytest.mark.parametrize("name", sorted(events.EVENTS))
def test_each_declared_event_is_typed_and_serialisable(name):
    cls = events.EVENTS[name]
    assert cls.name == name and "." in name and name == name.lower()
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
    hints = events.field_types(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    assert "organization_id" in fields and hints["organization_id"] is int
    for field in fields:
        assert _plain(hints[field]), f"{name}.{field}: {hints[field]} is not a plain type (ids, codes, flags)"
        assert not any(word in field for word in ("name", "email", "phone", "address", "text", "note")), f"{name}.{field}: personal data?"
    assert cls.object in fields and cls.object.endswith("_id")
    if cls.live:
        assert cls.audience and all(f in fields and f.removesuffix("_id") in AUDIENCE_RULES for f in cls.audience)
    evt = cls(**{f: _sample(hints[f]) for f in fields})
    data = json.loads(json.dumps(evt.payload()))
    assert set(data) == fields and data["organization_id"] == 7
    assert evt.object_key == f"{cls.object.removesuffix('_id')}:7"
    with pytest.raises(dataclasses.FrozenInstanceError):
        evt.organization_id = 8


def test_names_are_unique_and_undeclared_events_are_refused():
    assert len({cls.name for cls in events.EVENTS.values()}) == len(events.EVENTS) >= 16
    with pytest.raises(ValueError):
        @events.event
        class Again(events.Event):
            name = "application.moved"

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Undeclared(events.Event):
        name = "x.y"

    with pytest.raises(TypeError):
        events.emit(Undeclared(organization_id=1))


def test_webhooks_offer_exactly_the_subscribable_events():
    from hirelens.webhooks.models import EVENT_LABELS

    assert set(EVENT_LABELS) == {name for name, cls in events.EVENTS.items() if cls.webhook}


def test_the_live_audience_is_the_most_specific_object():
    moved = events.ApplicationMoved(organization_id=1, application_id=5, position_id=2, action="advance", state="active")
    assert events.audience_of(moved) == {"application": 5}
    slot = events.SlotOffered(organization_id=1, slot_id=3, position_id=2)
    assert events.audience_of(slot) == {"position": 2}
    opened = events.InterviewLinkOpened(organization_id=1, link_id=1, kind="booking", application_id=5)
    assert events.audience_of(opened) == {"application": 5}


def test_a_failing_handler_does_not_stop_the_others(django_capture_on_commit_callbacks, db):
    got = []

    def broken(evt):
        raise RuntimeError("bug in a subscriber")

    events.subscribe(events.ProcessPublished, broken)
    events.subscribe(events.ProcessPublished, got.append)
    events.subscribe_in_transaction(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            events.emit(events.ProcessPublished(organization_id=1, process_id=2, version_id=3, number=1))
    finally:
        events.unsubscribe(events.ProcessPublished, broken)
        events.unsubscribe(events.ProcessPublished, got.append)
        events.unsubscribe_in_transaction(broken)
    assert [e.process_id for e in got] == [2]
