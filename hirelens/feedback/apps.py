from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "hirelens.feedback"
    label = "feedback"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from hirelens.core import events
        from hirelens.core.roles import Perm
        from hirelens.core.shell import NavEntry, nav_register

        from .subscribers import on_event

        # cases open from scorecards, decisions and submitted AI interviews, in their transaction (subscribers.py)
        events.subscribe_in_transaction(on_event)

        from hirelens.evaluations.decision_extras import decision_extra_register

        from .selectors import decision_feedback

        # the evaluation page shows, beside each decision, what the candidate was told after it
        decision_extra_register("feedback", decision_feedback)

        from hirelens.messaging.services.deadlinks import subject_title_register

        from .providers import survey_title

        # a help-desk ticket about a survey link names its position (the dead-link page, HR's inbox)
        subject_title_register("feedback.survey", survey_title)

        nav_register(
            NavEntry(order=90, label=_("反馈与调查"), url_name="feedback:dashboard", perm=Perm.MESSAGING_VIEW),
        )
