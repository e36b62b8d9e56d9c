from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "hirelens.evaluations"
    label = "evaluations"
