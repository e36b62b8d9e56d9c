from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "hirelens.candidates"
    label = "candidates"
