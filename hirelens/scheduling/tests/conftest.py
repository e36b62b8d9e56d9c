from datetime import timedelta

import pytest
from django.utils import timezone

from hirelens.workflows.tests.factories import assign, make_application, make_position


@pytest.fixture
def position(org, interviewer, hiring_manager):
    position = make_position(org, title="销售代表", time_zone="Asia/Shanghai")
    assign(position, interviewer, "interviewer")
    assign(position, hiring_manager, "hiring_manager")
    return position


@pytest.fixture
def application(position):
    return make_application(position, "赵磊")


def local(days=3, hour=10, minute=0, zone="Asia/Shanghai"):
    """A wall-clock time string some days ahead, as a form would send it."""
    from zoneinfo import ZoneInfo

    day = (timezone.now().astimezone(ZoneInfo(zone)) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def at(days=3, hour=10, minute=0, zone="Asia/Shanghai"):
    """The same wall-clock time as ``local`` as an instant (what the services take)."""
    from hirelens.core.timezones import parse_local

    return parse_local(local(days=days, hour=hour, minute=minute, zone=zone), zone)
