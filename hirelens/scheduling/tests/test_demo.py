"""The demo modules of workflows and scheduling load on top of the foundation's demo, twice (idempotent)."""

from hirelens.core.demo import DemoContext


def test_demo_loads_processes_slots_and_interviews_idempotently(org, other_org):
    from hirelens.accounts import demo as accounts_demo
    from hirelens.positions import demo as positions_demo
    from hirelens.scheduling import demo as scheduling_demo
    from hirelens.scheduling.models import Interview, InterviewLink, InterviewSlot
    from hirelens.workflows import demo as workflows_demo
    from hirelens.workflows.models import ApplicationProgress, Process
    from hirelens.workflows.tests.factories import make_application

    ctx = DemoContext(organization=org, other_organization=other_org)
    accounts_demo.load(ctx)
    positions_demo.load(ctx)
    for title, position in ctx.positions.items():
        make_application(position, f"{title}-1")
        make_application(position, f"{title}-2")
    for _ in range(2):
        workflows_demo.load(ctx)
        scheduling_demo.load(ctx)
    assert Process.objects.filter(organization=org).count() == 3
    assert ApplicationProgress.objects.filter(organization=org).count() == 6
    assert ApplicationProgress.objects.filter(organization=org, stage__module="scenario").count() == 1  # advanced sales app
    backend = Process.objects.get(position__title="后端工程师").versions.get(number=1)
    coding = backend.stages.get(module="coding")
    assert [u.email for u in coding.view_users.all()] == ["cto@demo.hirelens.local"]
    assert InterviewSlot.objects.filter(organization=org).count() == 12
    assert Interview.objects.filter(organization=org).count() == 3
    assert InterviewLink.objects.filter(kind="candidate").count() == 3
    assert any("candidate interview link http" in line for line in ctx.log)
