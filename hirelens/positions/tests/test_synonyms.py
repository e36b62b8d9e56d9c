"""Issue 17 §2: synonyms per keyword that HR adds on the position's edit page; the analysis counts them for the keyword."""

import pytest
from django.core.exceptions import ValidationError

from hirelens.core.models import AuditEvent
from hirelens.positions.models import Position
from hirelens.positions.services import position_create, position_update
from hirelens.positions.tests.factories import PositionFactory
from hirelens.positions.validators import clean_keyword_synonyms

pytestmark = pytest.mark.django_db


def _form(position, **changes):
    data = {"title": position.title, "department": position.department, "location": position.location, "time_zone": position.time_zone,
            "status": position.status, "keywords": ", ".join(position.keywords), "keyword_synonyms": "",
            "scorecard_dimensions": ", ".join(position.scorecard_dimensions), "description": position.description}
    return {**data, **changes}


def test_hr_adds_synonyms_on_the_edit_page_and_sees_them(org, hr_admin, client):
    position = PositionFactory(organization=org, keywords=["团队协作", "客户"])
    client.force_login(hr_admin)
    page = client.get(f"/positions/{position.pk}/edit/").content.decode()
    assert 'name="keyword_synonyms"' in page and "<textarea" in page and 'aria-describedby="id_keyword_synonyms_helptext"' in page
    assert 'id="id_keyword_synonyms_helptext"' in page  # the format is explained next to the box, read out with it
    response = client.post(f"/positions/{position.pk}/edit/", _form(
        position, keywords="团队协作, 客户, teamwork", keyword_synonyms="团队协作：团队合作、协作\n\n客户: 顾客, 用户, 客户\nTeamwork: collaboration"))
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.keyword_synonyms == {"团队协作": ["团队合作", "协作"], "客户": ["顾客", "用户"], "teamwork": ["collaboration"]}
    assert AuditEvent.objects.filter(object_type="positions.position", action="update").exists()
    detail = client.get(f"/positions/{position.pk}/").content.decode()
    assert "团队协作（同义词：团队合作 / 协作）" in detail and "客户（同义词：顾客 / 用户）" in detail
    # shown back as it was typed, one line per keyword in the keywords' order
    edit = client.get(f"/positions/{position.pk}/edit/").content.decode()
    assert "团队协作: 团队合作, 协作\n客户: 顾客, 用户\nteamwork: collaboration</textarea>" in edit


@pytest.mark.parametrize("language, text, expected", [
    ("zh-hans", "沟通: 交流", "“沟通”不是本职位的关键词：请先把它加到关键词里。"),
    ("en", "沟通: 交流", "“沟通” is not one of this position's keywords: add it to the keywords first."),
    ("zh-hans", "团队协作 团队合作", "第 1 行：请写成“关键词: 同义词1, 同义词2”。"),
    ("en", "\n团队协作 团队合作", "Line 2: write it as “keyword: synonym 1, synonym 2”."),
    ("en", "团队协作: 客户", "“客户” is a keyword itself and cannot also be a synonym of “团队协作”."),
    ("zh-hans", "团队协作: 服务\n客户: 服务", "“服务”同时是“团队协作”和“客户”的同义词：每个同义词只能属于一个关键词。"),
])
def test_a_bad_synonym_line_is_refused_with_a_reason_in_the_readers_language(org, hr_admin, client, language, text, expected):
    position = PositionFactory(organization=org, keywords=["团队协作", "客户"], keyword_synonyms={"客户": ["顾客"]})
    client.force_login(hr_admin)
    client.cookies["django_language"] = language
    response = client.post(f"/positions/{position.pk}/edit/", _form(position, keyword_synonyms=text))
    assert response.status_code == 200
    page = response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”").replace("&#x27;", "'")
    assert expected in page
    position.refresh_from_db()
    assert position.keyword_synonyms == {"客户": ["顾客"]}  # nothing changed


def test_removing_a_keyword_removes_its_synonyms(org, hr_admin):
    position = position_create(actor=hr_admin, title="销售代表", keywords=["团队协作", "客户"],
                               keyword_synonyms={"团队协作": ["团队合作"], "客户": ["顾客"]})
    assert Position.objects.get(pk=position.pk).keyword_synonyms == {"团队协作": ["团队合作"], "客户": ["顾客"]}
    position_update(actor=hr_admin, position=position, keywords="客户")
    assert Position.objects.get(pk=position.pk).keyword_synonyms == {"客户": ["顾客"]}


def test_synonym_limits():
    assert clean_keyword_synonyms({"Python": ["py", " PY ", "Python"]}, keywords=["Python"]) == {"Python": ["py", "PY"]}
    assert clean_keyword_synonyms("python: py", keywords=["Python"]) == {"Python": ["py"]}  # the keyword as HR spelt it
    assert clean_keyword_synonyms("", keywords=["Python"]) == {}
    with pytest.raises(ValidationError):
        clean_keyword_synonyms({"Python": [f"s{i}" for i in range(11)]}, keywords=["Python"])
    with pytest.raises(ValidationError):
        clean_keyword_synonyms({"Python": ["x" * 61]}, keywords=["Python"])


def test_the_analysis_is_given_the_synonyms_of_the_current_keywords(org):
    from hirelens.interviews.analysis_bridge import keyword_synonyms

    position = PositionFactory(organization=org, keywords=["客户", "抗压"],
                               keyword_synonyms={"抗压": ["压力", "挑战"], "旧关键词": ["x"]})
    assert keyword_synonyms(position) == {"抗压": ["压力", "挑战"]}


def test_a_new_position_is_created_with_its_synonyms(org, hr_admin, client):
    client.force_login(hr_admin)
    response = client.post("/positions/new/", {"title": "后端工程师", "time_zone": "Asia/Shanghai", "status": "open",
                                               "keywords": "数据库, Python", "keyword_synonyms": "数据库: MySQL, PostgreSQL",
                                               "scorecard_dimensions": "专业技能"})
    assert response.status_code == 302
    assert Position.objects.get(title="后端工程师").keyword_synonyms == {"数据库": ["MySQL", "PostgreSQL"]}
