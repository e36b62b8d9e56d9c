from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "hirelens.analytics"
    label = "analytics"
