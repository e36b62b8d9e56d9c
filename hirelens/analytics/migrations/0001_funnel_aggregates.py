import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    """Count the funnel of the applications and pipeline events that exist already."""
    from hirelens.analytics.services import aggregates_rebuild

    aggregates_rebuild(apps=apps)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0005_audit_api_call'),
        ('positions', '0004_position_jurisdiction_facial'),
        ('candidates', '0005_application_created_index'),  # the backfill reads applications and pipeline events
        ('workflows', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='CompletionSlot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('cohort_day', models.DateField()),
                ('done_at', models.DateTimeField()),
                ('completions', models.PositiveIntegerField(default=0)),
                ('duration_us', models.BigIntegerField(default=0)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organization')),
                ('position', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='positions.position')),
            ],
            options={
                'indexes': [models.Index(fields=['organization', 'done_at'], name='analytics_completion_org_done')],
                'constraints': [models.UniqueConstraint(fields=('organization', 'position', 'cohort_day', 'done_at'), name='analytics_completion_slot')],
            },
        ),
        migrations.CreateModel(
            name='FunnelDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('day', models.DateField()),
                ('applied', models.PositiveIntegerField(default=0)),
                ('hired', models.PositiveIntegerField(default=0)),
                ('completed', models.PositiveIntegerField(default=0)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organization')),
                ('position', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='positions.position')),
            ],
            options={
                'indexes': [models.Index(fields=['organization', 'day'], name='analytics_funnel_org_day')],
                'constraints': [models.UniqueConstraint(fields=('organization', 'position', 'day'), name='analytics_funnel_day')],
            },
        ),
        migrations.CreateModel(
            name='FunnelStageDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('day', models.DateField()),
                ('title', models.CharField(max_length=200)),
                ('reached', models.PositiveIntegerField(default=0)),
                ('events', models.PositiveIntegerField(default=0)),
                ('order_sum', models.BigIntegerField(default=0)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organization')),
                ('position', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='positions.position')),
            ],
            options={
                'indexes': [models.Index(fields=['organization', 'day'], name='analytics_stage_org_day')],
                'constraints': [models.UniqueConstraint(fields=('organization', 'position', 'day', 'title'), name='analytics_stage_day')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
