from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('candidates', '0006_application_updated_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='application',
            index=models.Index(fields=['organization', 'position', '-created_at', '-id'], name='application_board_order'),
        ),
    ]
