"""WeChat binding tokens are stored as their SHA-256 only (issue 23, one link scheme: binding tokens first)."""

import hashlib

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    BindingToken = apps.get_model("messaging", "BindingToken")
    for row in BindingToken.objects.only("pk", "token").iterator():
        BindingToken.objects.filter(pk=row.pk).update(token_hash=hashlib.sha256(row.token.encode()).hexdigest())


class Migration(migrations.Migration):
    dependencies = [("messaging", "0007_privacy_kinds")]

    operations = [
        migrations.AddField(model_name="bindingtoken", name="token_hash", field=models.CharField(max_length=64, null=True)),
        migrations.RunPython(hash_tokens, migrations.RunPython.noop),
    ]
