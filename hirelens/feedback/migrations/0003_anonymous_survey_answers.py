"""Issue 20: survey answers anonymous in fact. Each answer keeps its position, stage and month and loses its link to the
survey (and so to the application and the candidate); the survey keeps only an "answered" flag. Existing rows are
migrated: stage and month copied from their survey, row times set to the month's start."""

import datetime

from django.db import migrations, models


def forwards(apps, schema_editor):
    Survey = apps.get_model("feedback", "Survey")
    SurveyResponse = apps.get_model("feedback", "SurveyResponse")
    Survey.objects.filter(answered_at__isnull=False).update(answered=True)
    for response in SurveyResponse.objects.select_related("survey").iterator():
        period = response.submitted_at.date().replace(day=1)
        start = datetime.datetime.combine(period, datetime.time.min, tzinfo=datetime.timezone.utc)
        SurveyResponse.objects.filter(pk=response.pk).update(stage_key=response.survey.stage_key, period=period,
                                                             created_at=start, updated_at=start)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_survey_suggestion_code")]

    operations = [
        migrations.AddField("survey", "answered", models.BooleanField(default=False)),
        migrations.AddField("surveyresponse", "stage_key", models.CharField(blank=True, max_length=32)),
        migrations.AddField("surveyresponse", "period", models.DateField(null=True,
                                                                          help_text="the first day of the month the answer came in")),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveIndex("surveyresponse", name="feedback_su_organiz_917bb9_idx"),
        migrations.RemoveField("survey", "answered_at"),
        migrations.RemoveField("surveyresponse", "submitted_at"),
        migrations.RemoveField("surveyresponse", "survey"),
        migrations.AlterField("surveyresponse", "period", models.DateField(help_text="the first day of the month the answer came in")),
        migrations.AlterModelOptions("surveyresponse", {"ordering": ["-period", "pk"]}),
        migrations.AddIndex("surveyresponse", models.Index(fields=["organization", "period"], name="feedback_su_org_period_idx")),
    ]
