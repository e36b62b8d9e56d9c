"""Export download links on the one link scheme (core/tokens.py): random token, its hash in the row (the token itself
only encrypted, for HR and the portal), expired 410 and unknown 404 in words; links sent before (signed {id, secret})
are re-hashed by migration 0002 and keep opening, also after a SECRET_KEY rotation. (Nothing withdraws a download
link: erasure empties it.)"""

from __future__ import annotations

import hashlib
import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import signing
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.utils import timezone

from hirelens.core.testing import assert_link_answers, assert_no_plaintext_token
from hirelens.privacy import services
from hirelens.privacy.models import PrivacyExport

from .factories import application_in

pytestmark = pytest.mark.django_db

ROTATED = "rotated-secret-key-" + "r" * 40


def _ready(export: PrivacyExport) -> PrivacyExport:
    """A built archive without building one (the archive's contents are test_export's business)."""
    export.status, export.expires_at = PrivacyExport.Status.READY, timezone.now() + timedelta(days=7)
    export.file.save("archive.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    export.save()
    return export


def test_a_download_link_opens_and_dies_by_the_one_rule(org, hr_admin):
    candidate = application_in(org).candidate
    pr = services.privacy_request_create(actor=hr_admin, candidate=candidate, kind="export")
    export = services.export_start(actor=hr_admin, privacy_request=pr)
    token = export.token
    path = services.export_url(export, absolute=False)
    assert_no_plaintext_token(export, token)
    assert_link_answers(Client(), path, status=404)  # not built yet
    _ready(export)
    assert_link_answers(Client(), path, status=200)
    with override_settings(SECRET_KEY=ROTATED):
        assert_link_answers(Client(), path, status=200)

    PrivacyExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert_link_answers(Client(), path, status=410, words=["下载链接已过期"])
    pr.language = "en"  # the candidate's language
    pr.save(update_fields=["language"])
    assert_link_answers(Client(), path, status=410, words=["The download link has expired"], language="en")
    assert_link_answers(Client(), "/privacy/download/no-such-link/", status=404, words=["无法识别这个链接"])


def test_a_link_sent_before_the_scheme_is_rehashed_and_keeps_opening(org, hr_admin):
    candidate = application_in(org).candidate
    pr = services.privacy_request_create(actor=hr_admin, candidate=candidate, kind="export")
    secret = "secret-of-an-export-sent-last-week"
    export = PrivacyExport.objects.create(organization=org, request=pr, candidate=candidate,
                                          token_hash=hashlib.sha256(secret.encode()).hexdigest())
    export.token = signing.dumps({"e": export.pk, "s": secret}, salt="hirelens.privacy.export", compress=True)
    _ready(export)
    path = services.export_url(export, absolute=False)
    assert_link_answers(Client(), path, status=404)  # the former hash is not the token's

    migration = importlib.import_module("hirelens.privacy.migrations.0002_export_token_hash")
    migration.hash_whole_tokens(apps, None)
    with override_settings(SECRET_KEY=ROTATED):
        assert_link_answers(Client(), path, status=200)
    migration.hash_secrets_again(apps, None)  # the way back restores the former hash
    assert PrivacyExport.objects.get(pk=export.pk).token_hash == hashlib.sha256(secret.encode()).hexdigest()
