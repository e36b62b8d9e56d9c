"""The shell's navigation and the dashboard are registered by the apps (core/shell.py); core renders them for each
reader, in order, with the permissions each entry asks for."""

import re

from hirelens.core import shell
from hirelens.positions.tests.factories import PositionAssignmentFactory, PositionFactory

EVERY_ENTRY = ["工作台", "职位", "候选人", "数据导入", "面试安排", "全部面试", "AI视频面试", "评估", "反馈与调查", "数据分析", "消息",
               "候选人求助", "隐私请求", "成员与角色", "审计日志", "偏差审计", "组织设置"]


def _menu(client) -> list[str]:
    page = client.get("/").content.decode()
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", label).strip() for label in re.findall(r"<a [^>]*>(.*?)</a>", nav, re.S)]


def test_every_app_registers_its_entries_in_the_menus_order(client, hr_admin):
    assert [entry.label for entry in shell.nav_entries()] == EVERY_ENTRY
    client.force_login(hr_admin)
    assert _menu(client) == EVERY_ENTRY


def test_an_entry_needs_its_permission(client, interviewer):
    client.force_login(interviewer)
    assert _menu(client) == ["工作台", "职位", "候选人", "面试安排", "全部面试", "AI视频面试", "评估"]


def test_the_dashboard_shows_the_registered_figures_and_sections(client, org, hr_admin, interviewer):
    mine = PositionFactory(organization=org, title="Mine", status="open")
    PositionFactory(organization=org, title="Not mine", status="open")
    PositionAssignmentFactory(position=mine, user=interviewer)
    client.force_login(interviewer)
    page = client.get("/").content.decode()
    assert 'data-testid="stat-positions">1<' in page and 'data-testid="stat-candidates">0<' in page
    assert "Mine" in page and "Not mine" not in page
    assert "最近的审计记录" not in page  # the audit section's context is None without the right
    client.force_login(hr_admin)
    page = client.get("/").content.decode()
    assert 'data-testid="stat-positions">2<' in page and "最近的审计记录" in page
    assert "您还没有被指派到任何职位。" in page


def test_an_idle_analysis_worker_frees_what_interviews_registered():
    """run_worker installs an IdleRelease per registered release (core/jobs.py); core itself names no app."""
    from hirelens.core.jobs import idle_releases
    from hirelens.interviews.analysis_bridge import models_release

    assert idle_releases("analysis") == [models_release]
    assert idle_releases("light") == []
