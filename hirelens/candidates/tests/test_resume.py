import pytest
from django.core.exceptions import ValidationError

from hirelens.candidates import resume as lib
from hirelens.candidates.models import Candidate, WorkExperience
from hirelens.candidates.services import candidate_create, resume_attach
from hirelens.core.models import AuditEvent

from . import documents as d


def test_chinese_pdf_resume_is_extracted_and_parsed(hr_admin):
    candidate = candidate_create(actor=hr_admin, full_name="张伟", resume=d.upload(d.pdf_bytes(d.ZH_RESUME), "张伟-简历.pdf"))
    candidate.refresh_from_db()
    assert candidate.resume_status == "parsed"
    assert candidate.resume_content_type == "application/pdf"
    assert "北京大学" in candidate.resume_text
    parsed = candidate.resume_parsed
    assert parsed["phones"] == ["13800138000"]
    assert parsed["emails"] == ["zhang.wei@example.com"]
    assert parsed["education"] == [
        {"school": "北京大学", "degree": "bachelor", "major": "计算机科学", "start_year": 2015, "end_year": 2019},
        {"school": "清华大学", "degree": "master", "major": "软件工程", "start_year": 2019, "end_year": 2022},
    ]
    assert [(e["employer"], e["start_year"], e["end_year"], e["current"]) for e in parsed["employers"]] == [
        ("北京字节跳动科技有限公司", 2022, None, True), ("阿里巴巴集团", 2020, 2022, False)]
    assert parsed["skills"] == ["Python", "Django", "PostgreSQL", "团队协作"]
    # Staff upload: the parse waits for HR's review (resume_review); nothing reached the record yet.
    assert candidate.skills == []
    assert not WorkExperience.objects.filter(candidate=candidate).exists()
    assert list(candidate.timeline.values_list("kind", flat=True)) == ["resume_uploaded", "created"]


def test_english_docx_resume_uses_the_organization_skill_dictionary(hr_admin):
    from hirelens.candidates.models import Skill

    Skill.objects.create(organization=hr_admin.organization, name="Key accounts", aliases=["CRM"])
    Skill.objects.create(organization=hr_admin.organization, name="Excel")
    candidate = candidate_create(actor=hr_admin, full_name="Emily Chen", resume=d.upload(d.docx_bytes(d.EN_RESUME), "cv.docx"))
    candidate.refresh_from_db()
    parsed = candidate.resume_parsed
    assert parsed["name"] == "Emily Chen"
    assert parsed["phones"] == ["13900139006"]
    assert parsed["education"] == [{"school": "Fudan University", "degree": "bachelor", "major": "Economics", "start_year": 2016,
                                    "end_year": 2020}]
    assert parsed["employers"][0]["employer"] == "Acme Technologies Inc."
    assert parsed["employers"][0]["current"] is True
    assert parsed["skills"] == ["Excel", "Key accounts"]


def test_scanned_pdf_is_kept_and_flagged(hr_admin):
    candidate = candidate_create(actor=hr_admin, full_name="扫描", resume=d.upload(d.scanned_pdf_bytes(), "scan.pdf"))
    candidate.refresh_from_db()
    assert candidate.resume_status == "no_text"
    assert candidate.resume_text == ""
    assert candidate.resume.open("rb").read(5) == b"%PDF-"


@pytest.mark.parametrize(("data", "name", "code"), [
    (b"%PDF-1.4 this is not a pdf", "broken.pdf", "corrupt"),
    (None, "locked.pdf", "encrypted"),
    (None, "bomb.docx", "zip_bomb"),
    (None, "photo.pdf", "image"),
    (b"", "empty.pdf", "empty"),
    (b"plain text", "resume.pdf", "type"),
])
def test_bad_resume_files_are_refused_and_nothing_changes(hr_admin, data, name, code):
    makers = {"locked.pdf": d.encrypted_pdf_bytes, "bomb.docx": d.zip_bomb_docx_bytes, "photo.pdf": d.png_bytes}
    data = makers[name]() if data is None else data
    candidate = candidate_create(actor=hr_admin, full_name="李雷")
    before = (AuditEvent.objects.count(), candidate.timeline.count())
    with pytest.raises(ValidationError) as exc:
        resume_attach(candidate=candidate, actor=hr_admin, upload=d.upload(data, name))
    assert exc.value.code == code
    candidate.refresh_from_db()
    assert (candidate.resume.name, candidate.resume_status) == ("", "none")
    assert (AuditEvent.objects.count(), candidate.timeline.count()) == before


def test_a_200_mb_file_is_refused_before_it_is_read(hr_admin):
    candidate = candidate_create(actor=hr_admin, full_name="李雷")
    with pytest.raises(ValidationError) as exc:
        resume_attach(candidate=candidate, actor=hr_admin, upload=d.HugeUpload(b"%PDF-"))
    assert exc.value.code == "too_large"
    assert exc.value.messages == ["文件过大：最大 20 MB。"]


def test_create_with_a_bad_resume_creates_nothing(hr_admin):
    with pytest.raises(ValidationError):
        candidate_create(actor=hr_admin, full_name="王芳", resume=d.upload(d.png_bytes(), "resume.pdf"))
    assert not Candidate.objects.exists()


@pytest.mark.parametrize(("text", "label", "value", "unit"), [
    ("项目营收 1000万元", "项目营收", "10000000", "CNY"),
    ("project revenue 10M", "project revenue", "10000000", ""),
    ("转化率提升 15%", "转化率提升", "15", "%"),
    ("服务客户 200 人", "服务客户", "200", "people"),
    ("$2.5M ARR", "ARR", "2500000", "USD"),
    ("成本降低 1.5亿", "成本降低", "150000000", ""),
])
def test_figures_are_kept_as_number_and_unit(text, label, value, unit):
    assert lib.parse_figure(text) == {"label": label, "value": value, "unit": unit, "text": text}
