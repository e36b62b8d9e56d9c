"""Typed input at the edge (issue 23 §4): every scheduling POST (pages and API) reads its times through
``forms.WindowForm``; a malformed time, an unknown zone, a skipped local time, an end before the start or the past is
a localized message and writes nothing; the services take aware datetimes and refuse anything else."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hirelens.integrations.testing import api_client, make_api_key
from hirelens.scheduling import services
from hirelens.scheduling.forms import WindowForm
from hirelens.scheduling.models import Availability, Interview, InterviewSlot

from .conftest import at, local

pytestmark = pytest.mark.django_db

BAD = [  # (what is posted over a good window, the message the person reads)
    ({"start": "明天上午"}, "时间格式无效：“明天上午”。"),
    ({"end": "2027-13-45T10:00"}, "时间格式无效：“2027-13-45T10:00”。"),
    ({"start": ""}, "时间格式无效：“”。"),
    ({"time_zone": "Mars/Olympus"}, "未知的时区“Mars/Olympus”，请从列表中选择，例如“北京时间 (UTC+08:00)”。"),
    ({"start": "2020-01-01T10:00", "end": "2020-01-01T11:00"}, "不能安排在过去的时间。"),
    ({"end": "swap"}, "结束时间必须晚于开始时间。"),  # filled in by the test: the end one hour before the start
    ({"end": "long"}, "一次面试最长 12 小时。"),
]


def _data(changes: dict) -> dict:
    data = {"start": local(hour=10), "end": local(hour=11), "time_zone": "Asia/Shanghai"}
    if changes.get("end") == "swap":
        return {**data, "end": local(hour=9)}
    if changes.get("end") == "long":
        return {**data, "end": local(days=4, hour=10)}
    return {**data, **changes}


def _skipped_hour() -> str:
    """02:30 on the day New York's clocks next go forward (that local time does not exist)."""
    zone, day = ZoneInfo("America/New_York"), timezone.now().date() + timedelta(days=1)
    while (datetime(day.year, day.month, day.day, 4, tzinfo=zone).utcoffset()
           == datetime(day.year, day.month, day.day, 0, tzinfo=zone).utcoffset()):
        day += timedelta(days=1)
    return f"{day.isoformat()}T02:30"


def _messages(response) -> list[str]:
    return [str(m.message) for m in response.context["messages"]]


@pytest.mark.parametrize(("changes", "message"), BAD)
def test_each_scheduling_page_answers_a_bad_window_with_its_message_and_writes_nothing(
        client, hr_admin, position, application, interviewer, changes, message):
    interview = services.interview_schedule(actor=hr_admin, application=application, start=at(days=5, hour=10),
                                            end=at(days=5, hour=11), interviewers=[interviewer])
    client.force_login(hr_admin)
    data = _data(changes)
    posts = [
        (f"/scheduling/position/{position.pk}/slots/new/", {**data, "interviewers": [interviewer.pk]}),
        (f"/scheduling/position/{position.pk}/interviews/new/", {**data, "interviewers": [interviewer.pk],
                                                                  "application": application.pk}),
        (f"/scheduling/interviews/{interview.pk}/reschedule/", {**data, "reason": "改期"}),
        ("/scheduling/availability/", data),
    ]
    for url, body in posts:
        response = client.post(url, body, follow=True)
        assert response.status_code == 200 and message in _messages(response), url
    interview.refresh_from_db()
    assert (interview.sequence, interview.start_at) == (0, at(days=5, hour=10))
    assert not InterviewSlot.objects.exists() and not Availability.objects.exists() and Interview.objects.count() == 1


def test_a_local_time_skipped_by_daylight_saving_is_refused_in_words(client, hr_admin, position, interviewer):
    client.force_login(hr_admin)
    skipped = _skipped_hour()
    hour_later = skipped.replace("T02:30", "T03:30")
    response = client.post(f"/scheduling/position/{position.pk}/slots/new/", {
        "start": skipped, "end": hour_later, "time_zone": "America/New_York", "interviewers": [interviewer.pk]}, follow=True)
    assert _messages(response) == [f"{skipped.replace('T', ' ')} 纽约时间不存在：夏令时调整跳过了这段时间，请选择其他时间。"]
    response = client.post(f"/scheduling/position/{position.pk}/slots/new/", {
        "start": skipped, "end": hour_later, "time_zone": "America/New_York", "interviewers": [interviewer.pk]},
        follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert _messages(response) == [f"{skipped.replace('T', ' ')} New York time does not exist: a daylight-saving change skips "
                                   "it; please choose another time."]
    assert not InterviewSlot.objects.exists()


def test_bad_times_are_answered_in_english(client, hr_admin, position, interviewer):
    client.force_login(hr_admin)
    response = client.post(f"/scheduling/position/{position.pk}/slots/new/",
                           {**_data({"start": "soon"}), "interviewers": [interviewer.pk]}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert _messages(response) == ["Invalid time: “soon”."]
    assert not InterviewSlot.objects.exists()


def test_the_api_reads_times_with_the_same_form(hr_admin, position, application, interviewer):
    hr = api_client(make_api_key(hr_admin)[1])

    def send(url, data):
        return hr.post(url, data=json.dumps(data), content_type="application/json")

    base = {"position_id": position.pk, "interviewer_ids": [interviewer.pk]}
    for changes, message in BAD:
        data = _data(changes)
        if not data["time_zone"] or changes.get("time_zone") is None:
            data.pop("time_zone")  # the position's zone
        response = send("/api/v1/scheduling/slots", {**base, **data})
        assert response.status_code == 422 and response.json()["detail"] == message, changes
        response = send("/api/v1/scheduling/interviews", {**base, **data, "application_id": application.pk})
        assert response.status_code == 422 and response.json()["detail"] == message, changes
    field = send("/api/v1/scheduling/slots", {**base, **_data({"start": "明天上午"})}).json()["fields"]
    assert field == {"start": ["时间格式无效：“明天上午”。"]}
    assert not InterviewSlot.objects.exists() and not Interview.objects.exists()
    # an ISO time with an offset is an instant, whatever the zone
    start, end = f"{local(hour=10)}:00+00:00", f"{local(hour=11)}:00+00:00"
    created = send("/api/v1/scheduling/slots", {**base, "start": start, "end": end, "time_zone": "Europe/London"})
    assert created.status_code == 201
    slot = InterviewSlot.objects.get()
    assert (slot.start_at, slot.time_zone) == (datetime.fromisoformat(start), "Europe/London")


def test_the_form_turns_local_times_into_instants():
    from hirelens.core.timezones import parse_local

    # the same wall-clock strings read in each zone (``at(zone=...)`` would take that zone's date, another day from
    # 16:00 UTC on for London against Shanghai)
    start, end = local(hour=10), local(hour=11)
    form = WindowForm({"start": start, "end": end, "time_zone": "伦敦时间"}, default_zone="Asia/Shanghai")
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["start_at"], form.cleaned_data["end_at"], form.cleaned_data["zone"]) == (
        parse_local(start, "Europe/London"), parse_local(end, "Europe/London"), "Europe/London")
    assert form.cleaned_data["start_at"].astimezone(ZoneInfo("Europe/London")).hour == 10
    blank_zone = WindowForm({"start": start, "end": end}, default_zone="Asia/Tokyo")
    assert blank_zone.is_valid() and blank_zone.cleaned_data["start_at"] == parse_local(start, "Asia/Tokyo")
    picked = WindowForm({"start": local(hour=10), "end": local(hour=11), "time_zone": "London time", "time_zone_iana": "Nowhere/X"})
    assert not picked.is_valid() and list(picked.errors) == ["time_zone"]


def test_services_take_aware_datetimes_and_still_check_the_window(hr_admin, position, application, interviewer):
    start = at(hour=10)
    slot = services.slot_create(actor=hr_admin, position=position, start=start, end=start + timedelta(hours=1),
                                interviewers=[interviewer])
    assert (slot.start_at, slot.end_at, slot.time_zone) == (start, start + timedelta(hours=1), "Asia/Shanghai")
    interview = services.interview_schedule(actor=hr_admin, application=application, start=at(hour=14), end=at(hour=15),
                                            interviewers=[interviewer])
    moved = services.interview_reschedule(actor=hr_admin, interview=interview, start=at(days=4, hour=9), end=at(days=4, hour=10),
                                          time_zone="Europe/London")
    assert (moved.start_at, moved.time_zone, moved.sequence) == (at(days=4, hour=9), "Europe/London", 1)
    window = services.availability_add(actor=interviewer, user=interviewer, start=at(hour=8), end=at(hour=18),
                                       time_zone="Asia/Shanghai")
    assert window.end_at - window.start_at == timedelta(hours=10)
    for start_value, code in ((at(days=-1), "in_the_past"), (at(hour=13), "end_before_start")):
        with pytest.raises(ValidationError) as exc:
            services.slot_create(actor=hr_admin, position=position, start=start_value, end=at(days=-1, hour=11)
                                 if code == "in_the_past" else at(hour=12), interviewers=[interviewer])
        assert exc.value.error_list[0].code == code
    for wrong in (local(hour=16), at(hour=16).replace(tzinfo=None)):  # a string or a naive time: the caller's mistake
        with pytest.raises(TypeError):
            services.slot_create(actor=hr_admin, position=position, start=wrong, end=at(hour=17), interviewers=[interviewer])
    assert InterviewSlot.objects.count() == 1


def test_malformed_ids_in_the_pickers_are_answered_not_a_server_error(client, hr_admin, position, application, interviewer):
    client.force_login(hr_admin)
    window = _data({})
    new_slot, new_interview = f"/scheduling/position/{position.pk}/slots/new/", f"/scheduling/position/{position.pk}/interviews/new/"
    for url in (new_interview, f"/scheduling/position/{position.pk}/booking-link/"):
        response = client.post(url, {**window, "interviewers": [interviewer.pk], "application": "12abc"}, follow=True)
        assert _messages(response) == ["请输入候选人姓名并从列表中选择一位。"], url
    response = client.post(new_slot, {**window, "interviewers": [interviewer.pk], "application": "-3"}, follow=True)
    assert _messages(response) == ["请输入候选人姓名并从列表中选择一位。"]
    assert client.post(new_slot, {**window, "interviewers": [interviewer.pk], "stage": "终面"}).status_code == 404
    response = client.post(new_slot, {**window, "interviewers": ["x", "99999999999999999999"]}, follow=True)
    assert _messages(response) == ["请至少选择一位面试官。"]
    assert not InterviewSlot.objects.exists() and not Interview.objects.exists()
    response = client.post(new_interview, {**window, "interviewers": [str(interviewer.pk), "junk"], "application": application.pk})
    assert response.status_code == 302 and list(Interview.objects.get().interviewers.all()) == [interviewer]
