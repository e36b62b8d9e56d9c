from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "hirelens.interviews"
    label = "interviews"
