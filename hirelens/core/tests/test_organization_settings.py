from hirelens.core.models import AuditEvent, Organization


def test_facial_analysis_is_off_by_default(db):
    assert Organization.objects.create(name="新公司", slug="new-co").facial_analysis_enabled is False


def test_hr_admin_turns_facial_analysis_off(client, hr_admin, org):
    Organization.objects.filter(pk=org.pk).update(facial_analysis_enabled=True)  # switched on before (off by default)
    client.force_login(hr_admin)
    page = client.get("/settings/").content.decode()
    assert "启用面部分析" in page
    response = client.post("/settings/", {"name": org.name, "time_zone": "Asia/Shanghai", "default_language": "en"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.facial_analysis_enabled is False and org.default_language == "en"
    event = AuditEvent.objects.get(action="update", object_type="core.organization")
    assert event.fields == ["default_language", "facial_analysis_enabled"]


def test_unknown_time_zone_is_a_form_error(client, hr_admin, org):
    client.force_login(hr_admin)
    response = client.post("/settings/", {"name": org.name, "time_zone": "Mars/Olympus", "default_language": "zh-hans",
                                          "facial_analysis_enabled": "on"})
    assert response.status_code == 400 and "未知的时区" in response.content.decode()
    assert Organization.objects.get(pk=org.pk).time_zone == "Asia/Shanghai"


def test_other_roles_cannot_change_settings(client, recruiter, org):
    client.force_login(recruiter)
    assert client.post("/settings/", {"name": "hacked", "time_zone": "UTC", "default_language": "en"}).status_code == 403
    assert Organization.objects.get(pk=org.pk).name == org.name
