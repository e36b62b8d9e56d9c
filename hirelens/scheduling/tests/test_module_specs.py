"""What scheduling decides from a stage's module spec (workflows/modules.py), not its name: which interviews are held
in a live room (``live_room``) and which step of the process the candidate's link repeats the instructions of
(``shows_instructions_on_link``)."""

import re

from hirelens.scheduling import services
from hirelens.workflows import services as workflows
from hirelens.workflows.tests.factories import published_process

from .conftest import at


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_live_room_and_the_link_page_follow_the_stage_module_spec(hr_admin, position, application, interviewer, client):
    _process, version = published_process(hr_admin, position, "management")
    workflows.pipeline_start(actor=hr_admin, application=application)
    stages = {stage.module: stage for stage in version.stages.all()}
    live = services.interview_schedule(actor=hr_admin, application=application, start=at(hour=10), end=at(hour=11),
                                       interviewers=[interviewer], stage=stages["live"])
    case = services.interview_schedule(actor=hr_admin, application=application, start=at(hour=14), end=at(hour=15),
                                       interviewers=[interviewer], stage=stages["case_analysis"])
    bare = services.interview_schedule(actor=hr_admin, application=application, start=at(hour=16), end=at(hour=17),
                                       interviewers=[interviewer])
    assert (live.is_live, case.is_live, bare.is_live) == (True, False, True)

    client.force_login(hr_admin)

    def ids(query):
        page = client.get(f"/scheduling/interviews/?{query}").content.decode()
        return sorted(int(i) for i in re.findall(r'data-testid="interview" data-id="(\d+)"', page))

    assert ids("kind=live") == sorted([live.pk, bare.pk]) and ids("kind=stage") == [case.pk]
    client.logout()

    page = client.get(_path(services.interview_links_issue(interview=live, actor=hr_admin)["candidate"])).content.decode()
    steps = [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in re.findall(r"<li>(.*?)</li>", page)]
    assert steps == ["AI视频面试 AI视频面试", "战略案例分析 战略分析", "项目汇报材料 资料上传 — 请上传一份 10 分钟的项目介绍 PPT。",
                     "管理层面试 直播面试"]
    assert 'data-testid="enter-live-room"' in page
    page = client.get(_path(services.interview_links_issue(interview=case, actor=hr_admin)["candidate"])).content.decode()
    assert "— 请上传一份 10 分钟的项目介绍 PPT。" in page and 'data-testid="enter-live-room"' not in page
