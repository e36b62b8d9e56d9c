"""Typed input at the edge (issue 23 §4): the column mapping is read through ``MappingForm``; a value that is no
field (unknown, or too long to be one) counts as "ignored", as before."""

import pytest

from hirelens.imports.models import ImportBatch

from .test_imports import ROWS, csv_bytes, existing, upload  # noqa: F401 (existing: the fixture)

pytestmark = pytest.mark.django_db


def test_mapping_page_ignores_values_that_are_no_field(hr_admin, existing, client):  # noqa: F811
    batch = upload(hr_admin, csv_bytes(ROWS))
    client.force_login(hr_admin)
    response = client.post(f"/imports/{batch.pk}/map/", {"col0": "full_name", "col1": "phone" * 100, "col2": "salary",
                                                         "col3": "", "col99": "email"})
    assert response.status_code == 302
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert (batch.status, batch.mapping) == (ImportBatch.Status.VALIDATED, {"0": "full_name"})


def test_mapping_without_a_name_column_is_refused(hr_admin, existing, client):  # noqa: F811
    batch = upload(hr_admin, csv_bytes(ROWS))
    client.force_login(hr_admin)
    response = client.post(f"/imports/{batch.pk}/map/", {"col1": "phone"}, follow=True)
    assert "请把一列映射为“姓名”。" in response.content.decode()
    assert ImportBatch.objects.get(pk=batch.pk).status != ImportBatch.Status.VALIDATED
