from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "hirelens.feedback"
    label = "feedback"
