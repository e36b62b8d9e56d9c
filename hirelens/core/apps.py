from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hirelens.core"
    label = "core"
