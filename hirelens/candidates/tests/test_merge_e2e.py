"""In Debian's Chromium: HR opens the duplicates page, compares the pair side by side, keeps the duplicate's phone,
confirms, then undoes the merge from the kept record's merge history (with the browser's confirmation)."""

import pytest

from conftest import in_thread, staff_login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_merge_a_pair_keeping_the_duplicates_phone_then_undo(asgi_server, page, hr_admin):
    from hirelens.candidates import services
    from hirelens.candidates.models import Candidate, CandidateMerge

    def setup():
        primary = services.candidate_create(actor=hr_admin, full_name="张伟", phone="13800000001", email="zw@example.com")
        duplicate = services.candidate_create(actor=hr_admin, full_name="张伟", phone="13900000002", email="zw@example.com",
                                              source="job_board", allow_duplicate=True)
        services.project_save(candidate=duplicate, actor=hr_admin, name="订单系统重构")
        return primary.pk, duplicate.pk

    primary_id, duplicate_id = in_thread(setup)
    base = asgi_server.base_url
    staff_login(page, base, hr_admin)

    page.goto(base + "/candidates/duplicates/")
    page.get_by_test_id("merge-open").first.click()
    page.wait_for_url("**/merge/?duplicate=*")
    from hirelens.candidates.services.merge import merge_shown

    row = page.get_by_test_id("merge-row-phone").inner_text()  # both phones, masked by the one masking rule
    assert merge_shown("phone", "13800000001") in row and merge_shown("phone", "13900000002") in row
    page.get_by_test_id("keep-duplicate-phone").check()
    page.get_by_test_id("merge-next").click()
    summary = page.get_by_test_id("merge-summary").inner_text()
    assert f"将 张伟（{merge_shown('phone', '13900000002')}）合并到 张伟" in summary and "手机号" in summary
    assert in_thread(lambda: Candidate.objects.filter(pk=duplicate_id).exists())  # nothing written before confirming
    page.get_by_test_id("merge-confirm").click()
    page.wait_for_url(f"**/candidates/{primary_id}/?tab=profile")
    shown = page.get_by_test_id("profile-phone").inner_text()  # masked or not, as the reader's permissions say
    assert shown.startswith("139") and "0002" in shown
    assert in_thread(lambda: (Candidate.objects.get(pk=primary_id).phone, Candidate.objects.filter(pk=duplicate_id).exists(),
                               Candidate.objects.get(pk=primary_id).projects.count())) == ("13900000002", False, 1)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("merge-undo").click()
    page.wait_for_selector("text=已撤销合并")
    assert in_thread(lambda: (Candidate.objects.get(pk=primary_id).phone, Candidate.objects.get(pk=duplicate_id).phone,
                               Candidate.objects.get(pk=duplicate_id).projects.count(),
                               CandidateMerge.objects.get().undone_at is not None)) == ("13800000001", "13900000002", 1, True)
