"""The candidate timeline's text of an event's own entry is part of the event's declaration (issue 23 §2,
``core.events.Event.timeline``): one home, read in both languages, and an app cannot register it a second time."""

import pytest
from django.utils import translation

from hirelens.candidates.models import TimelineEvent
from hirelens.candidates.timeline import KIND_TEXTS, kind_text, register_timeline_kind, timeline_text
from hirelens.core import events

DECLARED = {name: cls for name, cls in events.EVENTS.items() if cls.timeline}


def test_the_interview_events_declare_their_timeline_text():
    assert set(DECLARED) >= {"interview.scheduled", "interview.rescheduled", "interview.cancelled", "interview.link_opened"}
    assert not set(DECLARED) & set(KIND_TEXTS)  # no app registered a declared kind again


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_a_declared_text_reads_in_chinese_and_english(name):
    entry = TimelineEvent(kind=name, params={"title": "复试 · 销售代表", "kind": "candidate"})
    assert kind_text(name) is DECLARED[name].timeline
    with translation.override("zh-hans"):
        chinese = timeline_text(entry)
    with translation.override("en"):
        english = timeline_text(entry)
    assert chinese != english and "%(" not in chinese + english
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english.replace("复试 · 销售代表", ""))  # translated


def test_registering_a_declared_kind_again_is_refused():
    with pytest.raises(ValueError, match="declared on its event"):
        register_timeline_kind("interview.scheduled", "另一段文字")
    assert "interview.scheduled" not in KIND_TEXTS
