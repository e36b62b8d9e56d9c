"""Interview links on the one link scheme (core/tokens.py): looked up by the token's hash. The stored values stay as
they are: a link issued before (a signed {id, secret}) keeps its secret's hash and opens until it expires."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_interview_org_start_index")]

    operations = [
        migrations.RenameField(model_name="interviewlink", old_name="secret_hash", new_name="token_hash"),
        migrations.AlterField(model_name="interviewlink", name="token_hash", field=models.CharField(max_length=64, unique=True)),
    ]
