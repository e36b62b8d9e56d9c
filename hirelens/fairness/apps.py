from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FairnessConfig(AppConfig):
    name = "hirelens.fairness"
    verbose_name = _("偏差审计与记录")
    default_auto_field = "django.db.models.BigAutoField"
