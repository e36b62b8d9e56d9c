from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0004_ai_interview_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="channelaccount",
            name="api_base",
            field=models.URLField(blank=True, max_length=200, verbose_name="接口地址"),
        ),
    ]
