from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "hirelens.scheduling"
    label = "scheduling"
