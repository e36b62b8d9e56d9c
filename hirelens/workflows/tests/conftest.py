import pytest

from .factories import assign, make_application, make_position, published_process


@pytest.fixture
def position(org):
    return make_position(org, title="后端工程师")


@pytest.fixture
def cto(org):
    from hirelens.accounts.tests.factories import UserFactory

    return UserFactory(organization=org, role="interviewer", email="cto@example.com", full_name="CTO")


@pytest.fixture
def tech(hr_admin, position, interviewer, hiring_manager, cto):
    """A technical process (v1) whose coding stage only the hiring manager role and the CTO may see and score."""
    assign(position, interviewer, "interviewer")
    assign(position, hiring_manager, "hiring_manager")
    assign(position, cto, "interviewer")
    process, version = published_process(hr_admin, position, "technical")
    coding_draft = services_stage(process, "coding")
    from hirelens.workflows import services

    services.stage_update(actor=hr_admin, stage=coding_draft, view_roles=["hiring_manager"], score_roles=["hiring_manager"],
                          view_users=[cto], score_users=[cto])
    version = services.process_publish(actor=hr_admin, process=process)
    application = make_application(position)
    progress = services.pipeline_start(actor=hr_admin, application=application)
    return {"process": process, "version": version, "application": application, "progress": progress,
            "coding": version.stages.get(module="coding"), "video": version.stages.get(module="ai_video")}


def services_stage(process, module):
    from hirelens.workflows.services import process_draft

    return process_draft(process).stages.get(module=module)
