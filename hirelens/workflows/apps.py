from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "hirelens.workflows"
    label = "workflows"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from hirelens.candidates.timeline import register_timeline_kind

        register_timeline_kind("pipeline.start", _("%(position)s：开始面试流程 v%(version)s，环节「%(stage)s」"))
        register_timeline_kind("pipeline.advance", _("%(position)s：进入环节「%(stage)s」"))
        register_timeline_kind("pipeline.move", _("%(position)s：调整到环节「%(stage)s」"))
        register_timeline_kind("pipeline.hold", _("%(position)s：流程暂停"))
        register_timeline_kind("pipeline.resume", _("%(position)s：流程恢复"))
        register_timeline_kind("pipeline.reject", _("%(position)s：未通过（由人决定）"))
        register_timeline_kind("pipeline.withdraw", _("%(position)s：候选人撤回"))
        register_timeline_kind("pipeline.complete", _("%(position)s：面试流程完成"))

        from hirelens.positions.columns import position_columns_register

        from .providers import position_process_columns

        position_columns_register("process", position_process_columns)  # the positions API's active process
