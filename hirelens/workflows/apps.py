from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "hirelens.workflows"
    label = "workflows"
