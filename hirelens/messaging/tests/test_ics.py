"""The calendar invitation: RFC 5545 escaping, 75-octet folding, UTC times, updates and cancellation."""

from datetime import datetime
from zoneinfo import ZoneInfo

from hirelens.messaging.services import ics_build


def test_escaping_folding_and_utc():
    starts = datetime(2026, 12, 1, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    text = ics_build(uid="i-1@hirelens", starts_at=starts, ends_at=starts.replace(hour=15), summary="面试；销售代表, 第一轮",
                     description="请准备 10 分钟项目 PPT\n并提前 5 分钟进入" * 3, url="https://hirelens.example/i/1",
                     sequence=2)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "DTSTART:20261201T060000Z" in unfolded and "DTEND:20261201T070000Z" in unfolded
    assert "SUMMARY:面试\\；销售代表\\, 第一轮" not in unfolded  # only ASCII ; and , are escaped
    assert "SUMMARY:面试；销售代表\\, 第一轮" in unfolded
    assert "DESCRIPTION:请准备 10 分钟项目 PPT\\n并提前 5 分钟进入" in unfolded
    assert "SEQUENCE:2" in unfolded and "METHOD:REQUEST" in unfolded and "BEGIN:VALARM" in unfolded


def test_cancellation():
    starts = datetime(2026, 12, 1, 6, 0, tzinfo=ZoneInfo("UTC"))
    text = ics_build(uid="i-1@hirelens", starts_at=starts, ends_at=starts, summary="x", sequence=3, cancel=True)
    assert "METHOD:CANCEL" in text and "STATUS:CANCELLED" in text and "VALARM" not in text
