"""An application on a published technical process, with a panel, built through the real services."""

from __future__ import annotations

from hirelens.accounts.tests.factories import UserFactory
from hirelens.workflows import services as wf
from hirelens.workflows.tests.factories import assign, make_application, make_position, published_process

DIMS = ["沟通能力", "专业技能", "团队协作", "学习能力"]


def ratings(*scores, reason="理由充分，有具体例子"):
    return {d: {"score": s, "reason": f"{d}：{reason}"} for d, s in zip(DIMS, scores, strict=True)}


def build(org, hr_admin, interviewer, hiring_manager, *, title="后端工程师", department="技术部", name="候选人甲"):
    position = make_position(org, title=title, department=department)
    second = UserFactory(organization=org, role="interviewer", email=f"second-{position.pk}@example.com", full_name="面试官乙")
    assign(position, interviewer, "interviewer")
    assign(position, second, "interviewer")
    assign(position, hiring_manager, "hiring_manager")
    _process, version = published_process(hr_admin, position, "technical")
    application = make_application(position, name)
    progress = wf.pipeline_start(actor=hr_admin, application=application)
    return {"position": position, "application": application, "progress": progress, "second": second,
            "video": version.stages.get(module="ai_video"), "coding": version.stages.get(module="coding"),
            "live": version.stages.get(module="live"), "version": version}
