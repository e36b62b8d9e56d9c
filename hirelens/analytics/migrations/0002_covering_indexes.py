from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0001_funnel_aggregates'),
        ('core', '0005_audit_api_call'),
        ('positions', '0004_position_jurisdiction_facial'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='completionslot',
            name='analytics_completion_org_done',
        ),
        migrations.RemoveIndex(
            model_name='funnelday',
            name='analytics_funnel_org_day',
        ),
        migrations.RemoveIndex(
            model_name='funnelstageday',
            name='analytics_stage_org_day',
        ),
        migrations.AddIndex(
            model_name='completionslot',
            index=models.Index(fields=['organization', 'done_at', 'position', 'completions', 'duration_us'], name='analytics_completion_cover'),
        ),
        migrations.AddIndex(
            model_name='funnelday',
            index=models.Index(fields=['organization', 'day', 'position', 'applied', 'hired', 'completed'], name='analytics_funnel_cover'),
        ),
        migrations.AddIndex(
            model_name='funnelstageday',
            index=models.Index(fields=['organization', 'day', 'position', 'title', 'reached', 'events', 'order_sum'], name='analytics_stage_cover'),
        ),
    ]
