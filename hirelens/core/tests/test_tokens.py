"""The one link scheme (core/tokens.py): random tokens stored as their SHA-256, one rule for dead links, and the
former signed tokens read without SECRET_KEY. Run on a throwaway kind over the invitation table (any row will do)."""

from datetime import timedelta

import pytest
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from hirelens.accounts.models import Invitation
from hirelens.core import tokens

pytestmark = pytest.mark.django_db

KIND = tokens.LinkKind(name="test.invitation", model=Invitation, used_field="accepted_at")
LEGACY = tokens.LinkKind(name="test.legacy", model=Invitation, legacy_signed=True)


def _row(org) -> Invitation:
    return Invitation(organization=org, email="a@example.com", role="recruiter", expires_at=timezone.now())


def test_mint_stores_only_the_hash_and_resolve_applies_one_rule(org):
    invitation = _row(org)
    token = tokens.mint(KIND, invitation, timedelta(days=1))
    assert invitation.pk is not None and len(token) == 32
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in str(stored) and stored["token_hash"] == tokens.token_hash(token)
    assert tokens.resolve(KIND, token).pk == invitation.pk

    again = tokens.mint(KIND, invitation)  # a new token: the old one stops opening, the expiry stays
    assert tokens.find(KIND, token) == (None, tokens.UNKNOWN)
    assert tokens.find(KIND, again)[1] == tokens.LIVE

    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(tokens.LinkDead) as dead:
        tokens.resolve(KIND, again)
    assert (dead.value.status, dead.value.status_code, dead.value.target.pk) == ("expired", 410, invitation.pk)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    assert tokens.find(KIND, again)[1] == tokens.USED  # used wins over expired
    assert tokens.revoke(KIND, tokens.find(KIND, again)[0]) is True
    assert tokens.find(KIND, again)[1] == tokens.REVOKED  # revoked wins over used
    with pytest.raises(tokens.LinkDead) as dead:
        tokens.resolve(KIND, "no-such-token")
    assert (dead.value.status, dead.value.status_code, dead.value.target) == ("unknown", 404, None)
    assert tokens.find(KIND, "")[1] == tokens.UNKNOWN and tokens.find(KIND, "x" * 5000)[1] == tokens.UNKNOWN


def test_tokens_survive_a_secret_key_rotation_including_the_former_signed_ones(org):
    invitation = _row(org)
    token = tokens.mint(LEGACY, invitation, timedelta(days=1))
    secret = tokens.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=tokens.token_hash(secret))  # as the signed scheme stored it
    legacy = signing.dumps({"l": invitation.pk, "s": secret}, salt="hirelens.some-app", compress=True)
    with override_settings(SECRET_KEY="another-secret-key-" + "x" * 40):
        assert tokens.resolve(LEGACY, legacy).pk == invitation.pk
        assert tokens.find(LEGACY, token)[1] == tokens.UNKNOWN  # replaced by the legacy row's hash above
        # the secret is the credential: another id, or the right id with another secret, opens nothing
        assert tokens.find(LEGACY, signing.dumps({"l": invitation.pk + 1, "s": secret}, salt="x", compress=True))[0] is None
        assert tokens.find(LEGACY, signing.dumps({"l": invitation.pk, "s": "guess"}, salt="x"))[0] is None
        assert tokens.find(KIND, legacy)[0] is None  # a kind that never had signed tokens does not read them
        fresh = tokens.mint(LEGACY, invitation)
    assert tokens.resolve(LEGACY, fresh).pk == invitation.pk  # and back: nothing depends on the key


def test_a_kind_is_declared_once():
    assert tokens.link_kind(KIND) is KIND and tokens.link_kind(KIND) is KIND
    with pytest.raises(ValueError):
        tokens.link_kind(tokens.LinkKind(name="test.invitation", model=Invitation, used_field="sent_at"))
