"""Time zones in words (issue 16 §4): the picker's search, zone labels in both languages, invalid zones refused
with a localized error, staff defaulting to the organization's zone and seeing times in their own."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from django.utils import timezone

from hirelens.core.timezones import user_zone, utc_offset, when_text, zone_label, zone_label_offset, zone_search
from hirelens.scheduling import services
from hirelens.scheduling.models import Interview, InterviewSlot

from .conftest import at, local

pytestmark = pytest.mark.django_db


def _search(client, query, language="zh-hans"):
    response = client.get("/time-zones/", {"q": query}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()["results"]


def test_picker_search_by_city_and_localized_words(client):
    beijing = _search(client, "北京")
    assert beijing[0] == {"value": "Asia/Shanghai", "label": "北京时间 (UTC+08:00)", "name": "Asia/Shanghai"}
    assert _search(client, "上海")[0]["value"] == "Asia/Shanghai"
    london = _search(client, "伦敦")
    assert [r["value"] for r in london] == ["Europe/London"]
    assert london[0]["label"] == f"伦敦时间 ({utc_offset('Europe/London')})"
    english = _search(client, "London", language="en")
    assert english[0]["value"] == "Europe/London" and english[0]["label"] == f"London time ({utc_offset('Europe/London')})"
    assert _search(client, "new york")[0]["value"] == "America/New_York"
    assert _search(client, "lon")[0]["value"] == "Europe/London"  # a word's beginning is enough
    assert "Asia/Shanghai" in [r["value"] for r in _search(client, "utc+8")]
    assert _search(client, "亚特兰蒂斯") == []
    assert len(_search(client, "")) == 20  # an empty box lists the named cities first


def test_every_available_zone_can_be_found_by_its_name():
    names = sorted(z for z in available_timezones() if not z.startswith(("posix/", "right/", "SystemV/")))
    missing = [name for name in names if name not in [r["value"] for r in zone_search(name, limit=50)]]
    assert len(names) > 400 and missing == []


def test_zone_label_in_words_and_offsets():
    assert (zone_label("Asia/Shanghai", "zh-hans"), zone_label("Asia/Shanghai", "en")) == ("北京时间", "Beijing time")
    assert (zone_label("Europe/London", "zh-hans"), zone_label("Europe/London", "en")) == ("伦敦时间", "London time")
    assert zone_label("America/Port_of_Spain", "en") == "Port of Spain time"  # a city from the IANA name
    assert zone_label("America/Port_of_Spain", "zh-hans") == "Port of Spain时间"
    assert zone_label("UTC", "zh-hans") == "协调世界时"
    summer = datetime(2026, 7, 1, 12, tzinfo=ZoneInfo("UTC"))
    assert zone_label_offset("Europe/London", "en", at=summer) == "London time (UTC+01:00)"
    assert zone_label_offset("America/New_York", "zh-hans", at=summer) == "纽约时间 (UTC-04:00)"


def test_invalid_zone_is_refused_with_a_clear_error(hr_admin, position, application, interviewer, client):
    client.force_login(hr_admin)
    url = f"/scheduling/position/{position.pk}/slots/new/"
    data = {"start": local(hour=10), "end": local(hour=11), "interviewers": [interviewer.pk]}
    page = client.post(url, {**data, "time_zone": "Mars/Olympus"}, follow=True).content.decode()
    assert "未知的时区“Mars/Olympus”，请从列表中选择" in page and not InterviewSlot.objects.exists()
    page = client.post(url, {**data, "time_zone": "北京时间 (UTC+08:00)", "time_zone_iana": "Nowhere/City"},
                       follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Unknown time zone “Nowhere/City”" in page and not InterviewSlot.objects.exists()
    # what the picker's box shows, typed by hand (no JavaScript), is understood
    client.post(url, {**data, "time_zone": f"伦敦时间 ({utc_offset('Europe/London')})"})
    assert InterviewSlot.objects.get().time_zone == "Europe/London"
    services.slot_cancel(actor=hr_admin, slot=InterviewSlot.objects.get())
    client.post(url, {**data, "time_zone": "London time", "time_zone_iana": "Asia/Tokyo"})  # the picked name wins
    assert InterviewSlot.objects.exclude(status="cancelled").get().time_zone == "Asia/Tokyo"


def test_staff_default_to_the_organizations_zone_and_may_choose_their_own(org, hr_admin, interviewer, client):
    assert interviewer.time_zone == "" and user_zone(interviewer) == "Asia/Shanghai" == org.time_zone
    client.force_login(hr_admin)
    response = client.post("/settings/", {"name": org.name, "time_zone": "Europe/Berlin", "time_zone_iana": "Europe/Berlin",
                                          "default_language": "zh-hans"})
    assert response.status_code == 302
    interviewer.refresh_from_db()
    assert user_zone(interviewer) == "Europe/Berlin"  # follows the organization while it has no zone of its own
    bad = client.post("/settings/", {"name": org.name, "time_zone": "Berlin?", "default_language": "zh-hans"})
    assert bad.status_code == 400 and "未知的时区“Berlin?”" in bad.content.decode()
    client.force_login(interviewer)
    page = client.get("/accounts/preferences/").content.decode()
    assert "柏林时间" in page and 'data-testid="tz-input"' in page
    response = client.post("/accounts/preferences/", {"time_zone": "东京时间", "language": ""})
    assert response.status_code == 302
    interviewer.refresh_from_db()
    assert (interviewer.time_zone, user_zone(interviewer)) == ("Asia/Tokyo", "Asia/Tokyo")
    bad = client.post("/accounts/preferences/", {"time_zone": "Tokyo/Mars", "language": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "Unknown time zone “Tokyo/Mars”" in bad.content.decode()
    interviewer.refresh_from_db()
    assert interviewer.time_zone == "Asia/Tokyo"


def test_times_are_shown_with_the_zone_in_words_in_both_languages(hr_admin, application, interviewer, client):
    interview = services.interview_schedule(actor=hr_admin, application=application, start=at(hour=10), end=at(hour=11),
                                            interviewers=[interviewer], time_zone="Asia/Shanghai")
    hr_admin.time_zone = "Europe/London"
    hr_admin.save(update_fields=["time_zone"])
    services.interview_links_issue(interview=interview, actor=hr_admin)
    client.force_login(hr_admin)
    london = timezone.localtime(interview.start_at, ZoneInfo("Europe/London")).strftime("%H:%M")
    page = client.get(f"/scheduling/interviews/{interview.pk}/").content.decode()
    # every time on the page is in the reader's zone (UserTimeZoneMiddleware), not only the interview's own line
    expires = interview.end_at + timedelta(hours=2)
    assert timezone.localtime(expires, ZoneInfo("Europe/London")).strftime("%Y-%m-%d %H:%M") in page
    assert timezone.localtime(expires, ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M") not in page
    yours = when_text(interview.start_at, "Europe/London", end=interview.end_at, language="zh-hans")
    assert "10:00–11:00 北京时间" in page and f"你的时间 {yours}" in page and london in yours
    assert "伦敦时间" in page
    client.cookies["django_language"] = "en"
    page = client.get(f"/scheduling/interviews/{interview.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "10:00–11:00 Beijing time" in page and "your time" in page and "London time" in page
    assert Interview.objects.count() == 1
