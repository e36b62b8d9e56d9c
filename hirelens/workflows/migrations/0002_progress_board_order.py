from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0001_initial'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='applicationprogress',
            index=models.Index(fields=['stage', '-updated_at', '-id'], name='progress_board_order'),
        ),
    ]
