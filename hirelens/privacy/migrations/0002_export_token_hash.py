"""Download links on the one link scheme (core/tokens.py): the row's hash becomes the SHA-256 of the whole token (the
link as sent), not of the secret inside the signed token, so existing links keep opening by the same lookup as new
ones, and no longer depend on SECRET_KEY. The token itself is kept encrypted as before (HR and the portal show it)."""

import hashlib

from django.db import migrations


def hash_whole_tokens(apps, schema_editor):
    PrivacyExport = apps.get_model("privacy", "PrivacyExport")
    for export in PrivacyExport.objects.exclude(token_hash="").only("pk", "token").iterator():
        if export.token:
            PrivacyExport.objects.filter(pk=export.pk).update(token_hash=hashlib.sha256(export.token.encode()).hexdigest())


def hash_secrets_again(apps, schema_editor):
    from hirelens.core.tokens import _legacy_secret

    PrivacyExport = apps.get_model("privacy", "PrivacyExport")
    for export in PrivacyExport.objects.exclude(token_hash="").only("pk", "token").iterator():
        found = _legacy_secret(export.token or "")
        if found is not None:
            PrivacyExport.objects.filter(pk=export.pk).update(token_hash=hashlib.sha256(found[1].encode()).hexdigest())


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(hash_whole_tokens, hash_secrets_again)]
