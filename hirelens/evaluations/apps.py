from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "hirelens.evaluations"
    label = "evaluations"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from hirelens.candidates.hub import hub_register
        from hirelens.core.shell import NavEntry, nav_register

        from .selectors import hub_evaluations

        nav_register(
            NavEntry(order=80, label=_("评估"), url_name="evaluations:index"),
        )
        hub_register("evaluations", "evaluations", hub_evaluations)  # the candidate hub's 评估 tab

        from hirelens.candidates.decisions import decision_recorder_register

        from .services import decision_record

        # a final status from the application's edit, the board's 未通过 and the pipeline API's reject and hire are
        # decisions: the lower apps reach decision_record through this hook (candidates/decisions.py)
        decision_recorder_register(decision_record)
