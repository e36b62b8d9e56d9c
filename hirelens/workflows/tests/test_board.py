"""The pipeline board at scale (issue 22): per-column counts, a first page per column, "load more" by keyset cursor,
search and filters on every column and count, and stage permissions on all of it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hirelens.candidates import services as candidates
from hirelens.candidates.models import Application, Candidate
from hirelens.workflows import selectors, services
from hirelens.workflows.models import ApplicationProgress

from .factories import assign, published_process

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _people(position, version, n: int, *, stage=None, start: int = 0, state="active"):
    """``n`` applications (names of one length, so pages of 20 weigh the same), started on ``stage`` unless None."""
    org = position.organization
    made = Candidate.objects.bulk_create([Candidate(organization=org, full_name=f"候选人{start + i:04d}") for i in range(n)])
    apps = Application.objects.bulk_create([Application(organization=org, candidate=c, position=position) for c in made])
    if stage is not None:
        ApplicationProgress.objects.bulk_create([ApplicationProgress(organization=org, application=a, version=version,
                                                                     stage=stage, state=state) for a in apps])
    return apps


@pytest.fixture
def pipeline(hr_admin, position):
    process, version = published_process(hr_admin, position, "technical")
    stages = {s.module: s for s in version.stages.all()}
    return {"position": position, "process": process, "version": version, "stages": stages,
            "url": f"/processes/position/{position.pk}/board/"}


def _get_board(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def _count(html, key) -> int:
    return int(re.search(rf'data-testid="count-{key}" data-count="(\d+)"', html).group(1))


def _cards(html) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="card-(\d+)"', html)]


def test_board_costs_the_same_with_30_or_200_applications_in_a_column(client, hr_admin, pipeline):
    video = pipeline["stages"]["ai_video"]
    _people(pipeline["position"], pipeline["version"], 30, stage=video)
    _people(pipeline["position"], pipeline["version"], 3, start=900)  # not started
    client.force_login(hr_admin)
    small, small_queries = _get_board(client, pipeline["url"])
    _people(pipeline["position"], pipeline["version"], 170, stage=video, start=30)
    big, big_queries = _get_board(client, pipeline["url"])
    assert big_queries == small_queries
    assert (_count(small, video.key), _count(big, video.key), _count(big, "new"), _count(big, "ended")) == (30, 200, 3, 0)
    assert len(_cards(big)) == len(_cards(small)) == 23  # 20 + the 3 not started
    assert abs(len(big) - len(small)) < 100  # the counts' digits; the page weighs its page size, not the column
    assert 'data-testid="more-' + video.key + '"' in big
    first = _cards(big)[-1]  # a card of the video column (the "not started" column comes first); the cards derive their action URLs from the application page's (one reverse per card)
    assert f'data-move-url="{reverse("workflows:application_move_to", args=[first])}"' in big
    assert f'action="{reverse("workflows:application_move", args=[first])}"' in big
    new_card = _cards(big)[0]
    assert f'action="{reverse("workflows:application_start", args=[new_card])}"' in big


def test_first_page_is_newest_activity_first_and_load_more_reaches_the_end(client, hr_admin, pipeline):
    video = pipeline["stages"]["ai_video"]
    apps = _people(pipeline["position"], pipeline["version"], 45, stage=video)
    # a move makes an application the column's newest activity
    moved = ApplicationProgress.objects.get(application=apps[3])
    services.pipeline_move(actor=hr_admin, progress=moved, to_stage=video, reason="再看一次")
    client.force_login(hr_admin)
    html, _queries = _get_board(client, pipeline["url"])
    seen = _cards(html)
    assert seen[0] == apps[3].pk and len(seen) == 20
    more = re.search(r'data-more-url="([^"]+)"', html).group(1).replace("&amp;", "&")
    pages = 1
    while more:
        response = client.get(more, **HX)
        assert response.status_code == 200
        fragment = response.content.decode()
        assert "<html" not in fragment and f'id="more-{video.key}" hx-swap-oob="true"' in fragment
        seen += _cards(fragment)
        found = re.search(r'data-more-url="([^"]+)"', fragment)
        more = found.group(1).replace("&amp;", "&") if found else ""
        pages += 1
    assert pages == 3 and len(seen) == len(set(seen)) == 45
    expected = list(ApplicationProgress.objects.filter(stage=video).order_by("-updated_at", "-pk")
                    .values_list("application_id", flat=True))
    assert seen == expected


def test_load_more_without_javascript_is_a_page_of_its_own(client, hr_admin, pipeline):
    video = pipeline["stages"]["ai_video"]
    _people(pipeline["position"], pipeline["version"], 25, stage=video)
    client.force_login(hr_admin)
    html, _queries = _get_board(client, pipeline["url"], q="")
    more = re.search(r'data-more-url="([^"]+)"', html).group(1).replace("&amp;", "&")
    page = client.get(more).content.decode()
    assert "<html" in page and "返回看板" in page and len(_cards(page)) == 5 and "data-more-url" not in page


def test_load_more_refuses_strangers_hidden_stages_and_bad_cursors(client, hr_admin, interviewer, outsider, pipeline, org):
    from hirelens.accounts.tests.factories import UserFactory

    stages, position, coding = pipeline["stages"], pipeline["position"], pipeline["stages"]["coding"]
    assert coding.view_roles == ["hiring_manager"]  # the technical starter's coding stage: the hiring manager only
    _people(position, pipeline["version"], 4, stage=coding)
    _people(position, pipeline["version"], 2, stage=stages["ai_video"], start=10)
    base = f"/processes/position/{position.pk}/board/"
    client.force_login(hr_admin)
    html, _queries = _get_board(client, base)
    assert _count(html, coding.key) == 4
    assert client.get(f"{base}{coding.key}/", **HX).status_code == 200

    assign(position, interviewer)
    client.force_login(interviewer)
    html, _queries = _get_board(client, base)
    # the hidden stage is no column, and its applications are in no other column or count
    assert f'count-{coding.key}"' not in html and 'count-other"' not in html and _count(html, stages["ai_video"].key) == 2
    assert not any(f"候选人{i:04d}" in html for i in range(4))
    assert client.get(f"{base}{coding.key}/", **HX).status_code == 404
    assert client.get(f"{base}{coding.key}/").status_code == 404
    assert client.get(f"{base}no-such-column/", **HX).status_code == 404

    # v2 opens its coding stage to the panel: its applications show, v1's (still restricted there) do not
    draft = services.process_draft(pipeline["process"]).stages.get(module="coding")
    services.stage_update(actor=hr_admin, stage=draft, view_roles=[], score_roles=[])
    version = services.process_publish(actor=hr_admin, process=pipeline["process"])
    _people(position, version, 1, stage=version.stages.get(module="coding"), start=20)
    html, _queries = _get_board(client, base)
    assert _count(html, coding.key) == 1 and "候选人0020" in html
    client.force_login(hr_admin)
    assert _count(_get_board(client, base)[0], coding.key) == 5
    client.force_login(interviewer)
    response = client.get(f"{base}{stages['ai_video'].key}/", {"cursor": "12.x"}, **HX)
    assert response.status_code == 400 and "加载更多" in response.content.decode()

    client.force_login(UserFactory(organization=org, role="interviewer", email="unassigned@example.com"))
    assert client.get(f"{base}{stages['ai_video'].key}/", **HX).status_code == 404
    client.force_login(outsider)
    assert client.get(f"{base}new/", **HX).status_code == 404
    assert client.get(base).status_code == 404


def test_search_and_filters_apply_to_every_column_and_count(client, hr_admin, pipeline):
    position, video = pipeline["position"], pipeline["stages"]["ai_video"]
    zhou = candidates.candidate_create(actor=hr_admin, full_name="周雨桐", phone="13812345678", source="campus", tags=["应届"])
    zhang = candidates.candidate_create(actor=hr_admin, full_name="张伟", phone="13900000000", source="referral")
    li = candidates.candidate_create(actor=hr_admin, full_name="李明", source="campus")
    org = position.organization
    a_zhou, a_zhang, a_li = (Application.objects.create(organization=org, candidate=c, position=position) for c in (zhou, zhang, li))
    for application in (a_zhou, a_zhang):
        services.pipeline_start(actor=hr_admin, application=application)
    Application.objects.filter(pk=a_li.pk).update(created_at=timezone.now() - timedelta(days=40))
    client.force_login(hr_admin)

    def board(**params):
        html, _queries = _get_board(client, pipeline["url"], **params)
        return html, _count(html, "new"), _count(html, video.key)

    html, new, started = board(q="zyt")  # initials, through the candidates' search tokens
    assert (new, started, _cards(html)) == (0, 1, [a_zhou.pk])
    html, new, started = board(q="138 1234 5678")  # a phone number, through its blind index (HR may search contacts)
    assert (new, started, _cards(html)) == (0, 1, [a_zhou.pk])
    html, new, started = board(source="campus")
    assert (new, started, sorted(_cards(html))) == (1, 1, sorted([a_zhou.pk, a_li.pk]))
    html, new, started = board(tag="应届")
    assert (new, started, _cards(html)) == (0, 1, [a_zhou.pk])
    today = timezone.localdate().isoformat()
    html, new, started = board(**{"from": today, "to": today})
    assert (new, started, sorted(_cards(html))) == (0, 2, sorted([a_zhou.pk, a_zhang.pk]))
    html, new, started = board(to=(timezone.localdate() - timedelta(days=30)).isoformat(), source="campus")
    assert (new, started, _cards(html)) == (1, 0, [a_li.pk])
    html, new, started = board(**{"from": "not-a-date", "source": "nonsense"})  # ignored, like a bad number
    assert (new, started) == (1, 2)
    # the filters travel with "load more" and with the cards' forms
    html, _new, _started = board(source="campus", q="zyt")
    assert f'name="next" value="/processes/position/{position.pk}/board/?q=zyt&amp;source=campus"' in html


def test_interviewer_cannot_search_by_phone(client, hr_admin, interviewer, pipeline):
    position = pipeline["position"]
    zhou = candidates.candidate_create(actor=hr_admin, full_name="周雨桐", phone="13812345678")
    Application.objects.create(organization=position.organization, candidate=zhou, position=position)
    assign(position, interviewer)
    client.force_login(interviewer)
    html, _queries = _get_board(client, pipeline["url"], q="13812345678")
    assert _cards(html) == [] and "周雨桐" not in html
    html, _queries = _get_board(client, pipeline["url"], q="zyt")
    assert "周雨桐" in html


def test_a_move_changes_both_columns_counts(client, hr_admin, pipeline):
    video, live = pipeline["stages"]["ai_video"], pipeline["stages"]["live"]
    apps = _people(pipeline["position"], pipeline["version"], 3, stage=video)
    client.force_login(hr_admin)
    url = f"/processes/applications/{apps[0].pk}/move-to/"
    assert client.post(url, {"stage_key": live.key, "reason": "直接面试"}).status_code == 204
    html, _queries = _get_board(client, pipeline["url"])
    assert (_count(html, video.key), _count(html, live.key)) == (2, 1)
    columns = {c.key: c for c in selectors.position_board(actor=hr_admin, position=pipeline["position"])}
    assert [card.application.pk for card in columns[live.key].cards] == [apps[0].pk]
