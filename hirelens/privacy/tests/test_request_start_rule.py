"""Which rights requests may be started is one rule (issue 23 §7): ``PrivacyRequest.can_start`` is what
``privacy_request_start`` accepts and what the request page offers, for every status."""

import pytest
from django.core.exceptions import ValidationError

from hirelens.privacy import services
from hirelens.privacy.models import PrivacyRequest

from .factories import candidate_in


@pytest.mark.parametrize("status", PrivacyRequest.Status.values)
def test_start_is_offered_and_accepted_exactly_when_the_request_can_start(client, org, hr_admin, status):
    pr = services.privacy_request_create(candidate=candidate_in(org), kind="access", actor=hr_admin)
    PrivacyRequest.objects.filter(pk=pr.pk).update(status=status)
    pr.refresh_from_db()
    assert pr.can_start == (status == PrivacyRequest.Status.OPEN)
    client.force_login(hr_admin)
    page = client.get(f"/privacy/requests/{pr.pk}/").content.decode()
    assert ('data-testid="request-start"' in page) == pr.can_start
    try:
        services.privacy_request_start(actor=hr_admin, privacy_request=pr)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == pr.can_start
