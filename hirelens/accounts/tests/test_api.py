def test_me_requires_login(client, db):
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_me_describes_the_user(client, interviewer):
    client.force_login(interviewer)
    body = client.get("/api/v1/accounts/me").json()
    assert body["email"] == interviewer.email and body["role"] == "interviewer"
    assert body["organization_id"] == interviewer.organization_id
    assert "users.manage" not in body["permissions"] and "evaluations.score" in body["permissions"]


def test_openapi_document_is_served(client, hr_admin):
    client.force_login(hr_admin)
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "HireLens API"
    assert "/api/v1/accounts/me" in schema["paths"]
