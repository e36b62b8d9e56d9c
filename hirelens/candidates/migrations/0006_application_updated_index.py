from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('candidates', '0005_application_created_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='application',
            index=models.Index(fields=['organization', '-updated_at', '-id'], name='application_org_updated'),
        ),
    ]
