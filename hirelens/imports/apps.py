from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "hirelens.imports"
    label = "imports"
