"""A position whose first stage (the AI video interview) has hand-countable outcomes by self-identified group."""

from __future__ import annotations

from hirelens.fairness import services as fairness
from hirelens.portal.testing import portal_actor_for
from hirelens.workflows import services as wf
from hirelens.workflows.tests.factories import make_application, make_position, published_process

# (sex, race or None for "no answer", advanced?, score out of 100 or None)
MALE_WHITE = [("male", "white", i < 6, s) for i, s in enumerate([90, 85, 80, 75, 70, 65, 60, 55, 50, 45])]
FEMALE_ASIAN = [("female", "asian", i < 3, s) for i, s in enumerate([80, 70, 60, 50, 40, 35, 30, 25, 20, 15])]
OTHERS = [(None, None, True, None), (None, None, False, None), ("decline", "decline", True, None)]
# Hand-computed, stage "AI视频面试":
#   male × White: 10 assessed, 6 selected -> 60.0 % (reference, 1.000)
#   female × Asian: 10 assessed, 3 selected -> 30.0 % ; 0.30 / 0.60 = 0.500 -> flagged, small sample
#   unknown: 3 (two without answers, one "decline" to both): 2 selected
#   plus one male × White still waiting on the stage (pending) and one who withdrew there: not in the rates
# Scores (20 people): median (55 + 60) / 2 = 57.5 / 100 = 0.575 ; above it: men 7/10 = 0.700, women 3/10 = 0.300 ;
#   scoring impact ratio 0.300 / 0.700 = 0.429


def fairness_world(org, hr, *, title="销售代表"):
    position = make_position(org, title=title)
    _process, version = published_process(hr, position, "sales")
    stage = version.stages.order_by("order").first()
    people = MALE_WHITE + FEMALE_ASIAN + OTHERS
    for index, (sex, race, advanced, score) in enumerate(people):
        application = make_application(position, f"候选人{index:02d}")
        if sex is not None:
            fairness.self_identification_save(actor=portal_actor_for(application.candidate), candidate=application.candidate,
                                              sex=sex, race=race)
        progress = wf.pipeline_start(actor=hr, application=application)
        if score is not None:
            wf.stage_result_record(actor=hr, progress=progress, stage=stage, score=score)
        if advanced:
            wf.pipeline_advance(actor=hr, progress=progress, reason="表现良好")
        else:
            wf.pipeline_reject(actor=hr, progress=progress, reason="未达到要求")
    waiting = make_application(position, "等待中")
    fairness.self_identification_save(actor=portal_actor_for(waiting.candidate), candidate=waiting.candidate, sex="male",
                                      race="white")
    wf.pipeline_start(actor=hr, application=waiting)
    gone = make_application(position, "已撤回")
    wf.pipeline_withdraw(actor=hr, progress=wf.pipeline_start(actor=hr, application=gone), reason="另有工作")
    return {"position": position, "stage": stage, "version": version}
