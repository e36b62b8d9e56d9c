import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from hirelens.candidates import services as cs
from hirelens.candidates.models import Application, Candidate, TimelineEvent
from hirelens.candidates.selectors import candidate_list
from hirelens.core.models import AuditEvent
from hirelens.core.testing import assert_tenant_isolated
from hirelens.imports import services
from hirelens.imports.access import access_batch, visible_batches
from hirelens.imports.models import ImportBatch
from hirelens.positions.tests.factories import PositionFactory

HEADER = ["姓名", "手机号", "邮箱", "身份证号", "应聘职位", "环节", "投递日期", "来源", "标签"]
ROWS = [
    ["张伟", "138 0013 8000", "zhang.wei@example.com", "11010519491231002X", "销售代表", "AI视频面试", "2026-03-01", "内推", "校招,211"],
    ["　李　娜 ", "１３９００１３９００１", "ＬＩ.ＮＡ@Example.com", "", "销售代表", "", "2026/3/2", "官网", ""],
    ["王强", "12345", "wang@example", "1101051949123100211", "", "", "2026-02-30", "", ""],
    ["赵敏", "13800138000", "zhao.min@example.com", "", "", "", "", "", ""],
    ["", "13700137000", "", "", "", "", "", "", ""],
    ["钱多多", "13600136000", "", "", "不存在的职位", "", "", "", ""],
    ["孙丽", "13500135000", "existing@example.com", "", "", "", "", "", ""],
]


def csv_bytes(rows, encoding="utf-8"):
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode(encoding)


def xlsx_merged_header_bytes():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "联系方式", None, "应聘职位"])
    sheet.append([None, "手机", "邮箱", None])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:C1")
    sheet.merge_cells("D1:D2")
    sheet.append(["周杰", "13300133000", "zhou.jie@example.com", "销售代表"])
    sheet.append(["吴芳", "13300133001", "bad-email", "销售代表"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@pytest.fixture
def existing(hr_admin):
    PositionFactory(organization=hr_admin.organization, title="销售代表")
    return cs.candidate_create(actor=hr_admin, full_name="老候选人", email="existing@example.com")


def upload(actor, data, name="candidates.csv"):
    return services.import_batch_upload(actor=actor, upload=SimpleUploadedFile(name, data))


def test_gbk_csv_is_validated_cleaned_and_deduplicated(hr_admin, existing):
    batch = upload(hr_admin, csv_bytes(ROWS, "gbk"))
    assert (batch.file_kind, batch.encoding, batch.headers, batch.row_count) == ("csv", "gbk", HEADER, 7)
    assert batch.mapping == {"0": "full_name", "1": "phone", "2": "email", "3": "id_number", "4": "position", "5": "stage",
                             "6": "applied_on", "7": "source", "8": "tags"}
    assert Candidate.objects.count() == 1  # the sandbox writes nothing to the records
    batch = services.import_batch_validate(actor=hr_admin, batch=batch, mapping=batch.mapping)
    assert batch.report == {
        "summary": {"total": 7, "ok": 2, "error": 3, "duplicate": 2},
        "rows": [  # codes + parameters: the words are written when the report is read, in the reader's language
            {"row": 4, "status": "error", "duplicate_of": {}, "issues": [
                {"column": "手机号", "field": "phone", "code": "phone", "params": {}},
                {"column": "邮箱", "field": "email", "code": "email", "params": {}},
                {"column": "身份证号", "field": "id_number", "code": "id_length", "params": {"n": 19}},
                {"column": "投递日期", "field": "applied_on", "code": "date", "params": {}}]},
            {"row": 5, "status": "duplicate", "duplicate_of": {"row": 2}, "issues": []},
            {"row": 6, "status": "error", "duplicate_of": {}, "issues": [
                {"column": "姓名", "field": "full_name", "code": "required", "params": {}}]},
            {"row": 7, "status": "error", "duplicate_of": {}, "issues": [
                {"column": "应聘职位", "field": "position", "code": "position", "params": {"title": "不存在的职位"}}]},
            {"row": 8, "status": "duplicate", "duplicate_of": {"candidate": existing.pk}, "issues": []},
        ],
    }
    preview = __import__("json").loads(batch.preview_json)
    assert [(p["row"], p["full_name"], p["phone"], p["email"], p["source"]) for p in preview] == [
        (2, "张伟", "13800138000", "zhang.wei@example.com", "referral"), (3, "李 娜", "13900139001", "li.na@example.com", "website")]
    report = services.import_report_csv(batch=batch).decode("utf-8-sig").splitlines()
    assert report[0] == "行号,结果,列,说明"
    assert report[1] == "4,错误,手机号,手机号格式不正确。"
    assert "4,错误,身份证号,身份证号应为18位（当前19位）。" in report
    assert "5,重复,,与文件第 2 行重复，已跳过" in report and "8,重复,,与已有档案重复，已跳过" in report
    with translation.override("en"):
        english = services.import_report_csv(batch=batch).decode("utf-8-sig").splitlines()
    assert english[0] == "Row,Result,Column,Details"
    assert english[1] == "4,Error,手机号,Invalid mobile number."  # the file's own header stays as it was written
    assert "4,Error,身份证号,An ID number has 18 characters (this one has 19)." in english
    assert '7,Error,应聘职位,"Position ""不存在的职位"" does not exist."' in english
    assert '5,Duplicate,,"Duplicate of row 2 of the file, skipped"' in english
    assert '8,Duplicate,,"Duplicate of an existing record, skipped"' in english


def test_a_report_stored_before_codes_is_shown_as_it_was_written(hr_admin, client):
    batch = ImportBatch.objects.create(organization=hr_admin.organization, created_by=hr_admin, filename="old.csv",
                                       headers=["姓名"], row_count=1, status="validated", report={
        "summary": {"total": 1, "ok": 0, "error": 1, "duplicate": 0},
        "rows": [{"row": 2, "status": "error", "duplicate_of": "已有档案 #7", "issues": [
            {"column": "手机号", "code": "phone", "message": "手机号格式不正确。"}]}]})
    client.force_login(hr_admin)
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "与已有档案 #7重复，将跳过" in page and "[手机号] 手机号格式不正确。" in page


def test_commit_creates_valid_rows_in_one_go(hr_admin, existing):
    batch = upload(hr_admin, csv_bytes(ROWS))
    batch = services.import_batch_validate(actor=hr_admin, batch=batch, mapping=batch.mapping)
    batch = services.import_batch_commit(actor=hr_admin, batch=batch)
    assert (batch.status, batch.created_count) == ("committed", 2)
    zhang = candidate_list(actor=hr_admin, q="13800138000").get()
    assert (zhang.full_name, zhang.id_number, zhang.source) == ("张伟", "11010519491231002X", "referral")
    assert sorted(t.name for t in zhang.tags.all()) == ["211", "校招"]
    app = Application.objects.get(candidate=zhang)
    assert (app.position.title, app.stage, app.created_at.date().isoformat()) == ("销售代表", "AI视频面试", "2026-03-01")
    assert TimelineEvent.objects.get(candidate=zhang).params == {"batch": batch.pk}
    assert list(candidate_list(actor=hr_admin, q="李")) == [candidate_list(actor=hr_admin, q="li.na@example.com").get()]
    assert AuditEvent.objects.filter(action="create", object_type="imports.importbatch").count() == 2
    with pytest.raises(ValidationError):
        services.import_batch_commit(actor=hr_admin, batch=batch)
    assert Candidate.objects.count() == 3


def test_commit_is_all_or_nothing(hr_admin, existing, monkeypatch):
    batch = upload(hr_admin, csv_bytes(ROWS))
    batch = services.import_batch_validate(actor=hr_admin, batch=batch, mapping=batch.mapping)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(TimelineEvent.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        services.import_batch_commit(actor=hr_admin, batch=batch)
    assert Candidate.objects.count() == 1 and not Application.objects.exists()
    batch.refresh_from_db()
    assert batch.status == "validated"


def test_a_record_created_after_the_preview_is_still_caught(hr_admin, existing):
    batch = upload(hr_admin, csv_bytes(ROWS))
    batch = services.import_batch_validate(actor=hr_admin, batch=batch, mapping=batch.mapping)
    cs.candidate_create(actor=hr_admin, full_name="抢先", phone="13800138000")
    batch = services.import_batch_commit(actor=hr_admin, batch=batch)
    assert batch.created_count == 1 and batch.duplicate_count == 3


def test_xlsx_with_merged_header_cells(hr_admin, existing):
    batch = upload(hr_admin, xlsx_merged_header_bytes(), "export.xlsx")
    assert batch.headers == ["姓名", "联系方式/手机", "联系方式/邮箱", "应聘职位"]
    assert batch.mapping == {"0": "full_name", "1": "phone", "2": "email", "3": "position"}
    batch = services.import_batch_validate(actor=hr_admin, batch=batch, mapping=batch.mapping)
    assert batch.report["summary"] == {"total": 2, "ok": 1, "error": 1, "duplicate": 0}
    assert batch.report["rows"][0]["row"] == 4


@pytest.mark.parametrize(("data", "message"), [
    (b"", "文件是空的（0 字节）。"),
    (b"%PDF-1.4", "不支持的文件类型：请上传 CSV 或 XLSX（旧版 .xls 请另存为 .xlsx）。"),
    (b"PK\x03\x04not really a zip", "XLSX 文件已损坏，无法读取。"),
])
def test_unreadable_files_are_refused(hr_admin, data, message):
    with pytest.raises(ValidationError) as exc:
        upload(hr_admin, data)
    assert exc.value.messages == [message]
    assert not ImportBatch.objects.exists()


def test_mapping_must_name_one_name_column(hr_admin, existing):
    batch = upload(hr_admin, csv_bytes(ROWS))
    with pytest.raises(ValidationError):
        services.import_batch_validate(actor=hr_admin, batch=batch, mapping={"1": "phone"})
    with pytest.raises(ValidationError):
        services.import_batch_validate(actor=hr_admin, batch=batch, mapping={"0": "full_name", "1": "phone", "2": "phone"})


def test_deidentified_export(hr_admin, existing, client):
    cs.candidate_create(actor=hr_admin, full_name="张三丰", phone="13812341234", email="zsf@example.com", id_number="11010519491231002X")
    client.force_login(hr_admin)
    response = client.get("/imports/export/candidates.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "138****1234" in text and "张**" in text and "z***@example.com" in text
    assert "11010519491231002X" not in text and "13812341234" not in text and "张三丰" not in text
    assert AuditEvent.objects.filter(action="export").count() == 1


def test_pages_flow(hr_admin, existing, client):
    client.force_login(hr_admin)
    response = client.post("/imports/", {"file": SimpleUploadedFile("c.csv", csv_bytes(ROWS, "gbk"))})
    batch = ImportBatch.objects.get()
    assert response.url == f"/imports/{batch.pk}/"
    client.post(f"/imports/{batch.pk}/map/", {f"col{k}": v for k, v in batch.mapping.items()})
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert page.count('data-testid="report-row"') == 5 and page.count('data-testid="preview-row"') == 2
    client.post(f"/imports/{batch.pk}/commit/")
    assert Candidate.objects.count() == 3
    assert client.get(f"/imports/{batch.pk}/report.csv").status_code == 200
    response = client.post("/imports/", {"file": SimpleUploadedFile("x.csv", b"")})
    assert "文件是空的（0 字节）。" in response.content.decode()


def test_the_list_names_each_batch_by_its_file_with_who_uploaded_it_and_when(hr_admin, org, existing, client):
    import re
    from zoneinfo import ZoneInfo

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from hirelens.accounts.tests.factories import UserFactory
    from hirelens.core.timezones import user_zone

    colleague = UserFactory(organization=org, role="hr_admin", full_name="李娜")
    first = upload(hr_admin, csv_bytes(ROWS), name="春招名单.csv")
    client.force_login(hr_admin)
    with CaptureQueriesContext(connection) as one_batch:
        assert client.get("/imports/").status_code == 200
    later = [upload(colleague, csv_bytes(ROWS), name=f"内推{i}.csv") for i in range(3)]
    gone = UserFactory(organization=org, role="hr_admin", full_name="已离职")
    orphan = upload(gone, csv_bytes(ROWS), name="旧名单.xlsx.csv")
    gone.delete()  # the batch stays; its uploader is no longer known
    with CaptureQueriesContext(connection) as five_batches:
        page = client.get("/imports/").content.decode()
    assert len(five_batches) == len(one_batch)  # the uploaders come with the batches: no query per row

    rows = [re.sub(r">\s+<", "><", row).strip()  # a cell a line in the template
            for row in re.findall(r'<tr data-testid="batch-row">(.*?)</tr>', page, re.S)]
    zone = ZoneInfo(user_zone(hr_admin))

    def row(batch, uploader):
        when = timezone.localtime(batch.created_at, zone)
        return (f'<td data-label="文件名"><a href="/imports/{batch.pk}/" data-testid="batch-link">{batch.filename}</a></td>'
                f'<td data-label="上传人" data-testid="batch-uploader">{uploader}</td>'
                f'<td data-label="上传时间"><time datetime="{when.isoformat()}">{when:%Y-%m-%d %H:%M}</time></td>')

    expected = [row(orphan, "—"), *(row(b, "李娜") for b in reversed(later)), row(first, hr_admin.full_name)]
    assert [r[:len(e)] for r, e in zip(rows, expected, strict=True)] == expected  # newest first
    assert f">#{first.pk}<" not in page


def test_other_organization_and_wrong_roles(hr_admin, interviewer, outsider, existing, client):
    batch = upload(hr_admin, csv_bytes(ROWS))
    assert_tenant_isolated(outsider=outsider, objects=[batch], access=access_batch, access_kwarg="batch_id",
                           selectors=[visible_batches], client=client,
                           urls=[f"/imports/{batch.pk}/", f"/imports/{batch.pk}/report.csv"])
    assert client.post(f"/imports/{batch.pk}/map/", {"col0": "full_name"}).status_code == 404
    assert client.post(f"/imports/{batch.pk}/commit/").status_code == 404
    client.force_login(interviewer)
    for url in ("/imports/", "/imports/export/candidates.csv", f"/imports/{batch.pk}/"):
        assert client.get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        services.import_batch_upload(actor=interviewer, upload=SimpleUploadedFile("c.csv", csv_bytes(ROWS)))
    batch.refresh_from_db()
    assert batch.status == "uploaded" and Candidate.objects.count() == 1


def test_uploaded_file_and_preview_are_encrypted_at_rest(hr_admin, existing):
    from pathlib import Path

    from django.conf import settings
    from django.db import connection

    batch = upload(hr_admin, csv_bytes(ROWS))
    services.import_batch_validate(actor=hr_admin, batch=batch, mapping=batch.mapping)
    raw = (Path(settings.MEDIA_ROOT) / batch.file.name).read_bytes()
    assert raw.startswith(b"HLEF") and "张伟".encode() not in raw and b"13800138000" not in raw
    with connection.cursor() as cursor:
        cursor.execute("SELECT filename, preview_json, report FROM imports_importbatch")
        dump = repr(cursor.fetchall())
    assert "张伟" not in dump and "13800138000" not in dump and "candidates.csv" not in dump
