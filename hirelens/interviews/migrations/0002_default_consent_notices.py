"""Platform consent notices, version 1. Organizations can add their own versions (which take precedence)."""

from django.db import migrations

from hirelens.interviews.notices import ensure_platform_notices

def forward(apps, schema_editor):
    ensure_platform_notices(apps.get_model("interviews", "ConsentNotice"))


class Migration(migrations.Migration):
    dependencies = [("interviews", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
