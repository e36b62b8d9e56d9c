"""Interviews over HTTP (read) — integrators and the WeChat side read schedules here."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from hirelens.integrations.auth import api_auth

from . import selectors
from .access import access_interview

API_PREFIX = "/scheduling/"
router = Router(tags=["scheduling"], auth=api_auth("scheduling"))


class InterviewOut(Schema):
    id: int
    application_id: int
    stage_id: int | None
    title: str
    start_at: datetime
    end_at: datetime
    time_zone: str
    status: str
    sequence: int
    interviewer_ids: list[int]


def _out(interview) -> InterviewOut:
    return InterviewOut(id=interview.pk, application_id=interview.application_id, stage_id=interview.stage_id, title=interview.title,
                        start_at=interview.start_at, end_at=interview.end_at, time_zone=interview.time_zone,
                        status=interview.status, sequence=interview.sequence,
                        interviewer_ids=[u.pk for u in interview.interviewers.all()])


@router.get("/interviews", response=list[InterviewOut])
def interviews(request, upcoming: bool = False, mine: bool = False):
    return [_out(i) for i in selectors.interview_list(actor=request.user, upcoming=upcoming, mine=mine)[:500]]


@router.get("/interviews/{id:interview_id}", response=InterviewOut)
def interview(request, interview_id: int):
    return _out(access_interview(actor=request.user, interview_id=interview_id))
