from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hirelens.core"
    label = "core"

    def ready(self):
        from .converters import register

        register()
