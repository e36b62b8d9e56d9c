"""Time zones (hirelens.scheduling.timezones.parse_local): a wall-clock time in a zone and the instant it names.

The oracle is independent of the code under test: a local time exists when some UTC instant shows it on that zone's
clocks; it is ambiguous when two do (the first, fold=0, is documented to win); it is skipped (DST gap) when none does,
and then parse_local refuses it with ``nonexistent_time``.
"""

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import event, given, settings
from hypothesis import strategies as st

from hirelens.core.timezones import in_zone, parse_local

ZONES = [
    "UTC",
    "Asia/Shanghai",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "America/Santiago",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Apia",
    "Africa/Casablanca",
]  # whole, half and quarter hours; 30-minute DST (Lord Howe); negative DST (Dublin); a skipped day (Apia, 2011)
START, END = datetime(2005, 1, 1), datetime(2035, 12, 31)


@cache
def _transitions(zone_name: str) -> tuple[datetime, ...]:
    """The UTC instants (to the minute) where the zone's offset changes, 2005-2035: found by day, then bisected."""
    zone, found = ZoneInfo(zone_name), []
    day = START.replace(tzinfo=UTC)
    while day < END.replace(tzinfo=UTC):
        following = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            low, high = day, following
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high.replace(second=0, microsecond=0))
        day = following
    return tuple(found)


@st.composite
def wall_times(draw):
    """A zone and a naive local time: anywhere, or within 75 minutes of one of the zone's clock changes."""
    zone_name = draw(st.sampled_from(ZONES))
    changes = _transitions(zone_name)
    if changes and draw(st.booleans()):
        change = draw(st.sampled_from(changes))
        wall = change.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)
        naive = wall + timedelta(minutes=draw(st.integers(-75, 75)))
    else:
        naive = draw(st.datetimes(min_value=START, max_value=END)).replace(second=0, microsecond=0)
    return zone_name, naive


def instants_showing(naive: datetime, zone_name: str) -> list[datetime]:
    """Every UTC instant at which the zone's clocks show ``naive`` (0: a gap, 1: normal, 2: a fold)."""
    zone = ZoneInfo(zone_name)
    offsets = {naive.replace(tzinfo=zone, fold=fold).utcoffset() for fold in (0, 1)}
    offsets |= {(naive - timedelta(hours=h)).replace(tzinfo=zone).utcoffset() for h in (-26, 26)}
    found = {(naive - offset).replace(tzinfo=UTC) for offset in offsets}
    return sorted(u for u in found if u.astimezone(zone).replace(tzinfo=None) == naive)


@settings(max_examples=100)
@given(case=wall_times(), spelled=st.sampled_from(["T", " ", "datetime"]))
def test_a_wall_time_is_its_first_instant_or_refused_when_skipped(case, spelled):
    zone_name, naive = case
    value = naive if spelled == "datetime" else naive.isoformat(sep=spelled, timespec="minutes")
    showing = instants_showing(naive, zone_name)
    event({0: "skipped (gap)", 1: "normal", 2: "repeated (fold)"}[len(showing)])
    if not showing:
        with pytest.raises(ValidationError) as refused:
            parse_local(value, zone_name)
        assert refused.value.code == "nonexistent_time"
        return
    instant = parse_local(value, zone_name)
    assert instant.utcoffset() == timedelta(0)
    assert instant == showing[0]  # the repeated hour when clocks go back: its first occurrence
    assert in_zone(instant, zone_name).replace(tzinfo=None) == naive


@settings(max_examples=100)
@given(zone_name=st.sampled_from(ZONES), instant=st.datetimes(min_value=START, max_value=END, timezones=st.just(UTC)))
def test_any_instant_round_trips_through_its_wall_time(zone_name, instant):
    instant = instant.replace(second=0, microsecond=0)
    wall = in_zone(instant, zone_name).replace(tzinfo=None)
    back = parse_local(wall.isoformat(), zone_name)
    showing = instants_showing(wall, zone_name)
    assert instant in showing
    # the same instant, unless the wall time is shown twice and this was its second showing (then the first)
    assert back == (instant if len(showing) == 1 else showing[0])


@settings(max_examples=60)
@given(
    instant=st.datetimes(min_value=START, max_value=END, timezones=st.just(UTC)),
    zone_name=st.sampled_from(ZONES),
    written_in=st.sampled_from(ZONES),
)
def test_a_time_written_with_its_offset_is_that_instant_in_any_zone(instant, zone_name, written_in):
    instant = instant.replace(second=0, microsecond=0)
    text = instant.astimezone(ZoneInfo(written_in)).isoformat()
    assert parse_local(text, zone_name) == instant


def test_the_documented_examples():
    with pytest.raises(ValidationError):
        parse_local("2026-03-08T02:30", "America/New_York")  # skipped by DST
    assert parse_local("2026-11-01T01:30", "America/New_York") == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # fold=0
    assert len(_transitions("America/New_York")) == 62 and _transitions("Asia/Shanghai") == ()
