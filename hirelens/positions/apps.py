from django.apps import AppConfig


class PositionsConfig(AppConfig):
    name = "hirelens.positions"
    label = "positions"
