"""The scale dataset of issue 22, generated into the configured database through bulk paths.

    HIRELENS_VAR_DIR=/tmp/x .venv/bin/python bench/dataset.py                      # SQLite under HIRELENS_VAR_DIR
    HIRELENS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hl_bench .venv/bin/python bench/dataset.py
    .venv/bin/python bench/dataset.py --candidates 20000 --small-org-size 200       # quicker

One organization of ``--candidates`` candidates (default 100,000) with ``--applications`` applications over
``--positions`` positions, one of which (the "board" position, the organization's first) holds ``--board``
applications, every application started on its position's published process (three or four stages) with
``--events`` pipeline events in all (start, advances, hold/resume, reject, withdraw, complete, each with its
candidate-timeline entry as the service writes it), ``--interviews`` interviews (60 % AI video sessions invited
or analysed, 40 % live interviews scheduled or completed, two interviewers each), ``--scorecards`` submitted
scorecards (through the ``scorecard_submit`` service: ratings, item figures, audit entry, timeline, feedback case)
and a decision for every third scorecard. Names are Chinese (surname + one or two given characters), phones and
e-mails unique, search tokens and blind indexes as a save() writes them. A second, small organization of the same
shape (``--small-org-size``, default 200 candidates, every count scaled) is what ``bench/pages.py`` compares query
counts against.

Rerunnable: an organization is found again by its slug (which names its shape) and reused when complete; one an
interrupted run left half-made is renamed aside and seeded again. Prints elapsed time and row counts.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

DEPARTMENTS = {
    "销售部": ["销售代表", "大客户经理", "销售助理", "渠道经理", "电话销售"],
    "技术部": ["后端工程师", "前端工程师", "数据工程师", "测试工程师", "运维工程师", "算法工程师", "移动端工程师"],
    "市场部": ["市场专员", "品牌经理", "新媒体运营", "活动策划"],
    "人力资源部": ["管培生", "HRBP", "招聘专员"],
    "财务部": ["会计", "财务分析师"],
}
CITIES = ["上海", "北京", "深圳", "杭州", "成都", "武汉", "南京", "广州"]
STARTER_OF = {"销售部": "sales", "技术部": "technical"}  # the others: management
SOURCES = ["website", "referral", "job_board", "campus", "headhunter", "wechat", "import"]
REASONS = ["沟通清晰，案例具体，团队协作经验丰富。", "专业基础扎实，对业务理解到位，表达有条理。", "项目经验与岗位匹配度高，解决问题思路清楚。",
           "学习能力强，能举出具体的改进成果和数据。", "回答较笼统，缺少可以验证的具体事例和结果。"]
RATIONALES = ["技术面试表现稳定，团队一致认可。", "与岗位要求差距较大，暂不推进。", "等待终面排期后再决定。", "综合评估后进入下一轮。"]
DAY = timedelta(days=1)
# Bumped when the seed writes different rows: an organization seeded by an earlier version is not reused (its slug
# differs). 2: every organization, however small, has rows on every page (``Seeder`` "showcase" rows; bench/pages.py
# compares query counts with the small one). 3: the 张伟 of every organization is on the bench interviewer's panel.
SEED_VERSION = 3


@dataclass(frozen=True)
class Shape:
    candidates: int = 100_000
    applications: int = 100_000
    positions: int = 40
    board: int = 5_000
    interviews: int = 10_000
    scorecards: int = 3_000
    events: int = 335_000
    interviewers: int = 40

    def scaled(self, size: int) -> Shape:
        """The same shape at ``size`` candidates (positions and the panel stay). The board keeps at least 10
        applications (a card in each column and an upcoming interview at the board's position) and there are at least
        4 interviews (two live ones: the showcase's, held, and one to come)."""
        ratio = size / self.candidates
        applications = max(1, round(self.applications * ratio))
        return replace(self, candidates=size, applications=applications,
                       board=min(applications, max(10, round(self.board * ratio))), interviews=max(4, round(self.interviews * ratio)),
                       scorecards=max(1, round(self.scorecards * ratio)), events=max(1, round(self.events * ratio)))

    @property
    def slug(self) -> str:
        digest = hashlib.sha1(repr(sorted(asdict(self).items()) + [("seed", SEED_VERSION)]).encode()).hexdigest()[:6]
        return f"scale-{self.candidates}-{digest}"


def add_shape_arguments(parser: argparse.ArgumentParser) -> None:
    default = Shape()
    parser.add_argument("--candidates", type=int, default=default.candidates)
    parser.add_argument("--applications", type=int, help="default: as many as candidates")
    parser.add_argument("--positions", type=int, default=default.positions)
    parser.add_argument("--board", type=int, help="applications of the board position (default: 5 %% of the applications)")
    parser.add_argument("--interviews", type=int, help="AI and live interviews (default: 10 %% of the candidates)")
    parser.add_argument("--scorecards", type=int, help="submitted scorecards (default: 3 %% of the candidates)")
    parser.add_argument("--events", type=int, help="pipeline events (default: 3.35 per application)")
    parser.add_argument("--small-org-size", type=int, default=200, help="candidates of the small organization of the same shape (0: none)")


def shapes_from(args) -> tuple[Shape, Shape | None]:
    applications = args.applications or args.candidates
    shape = Shape(candidates=args.candidates, applications=applications, positions=args.positions,
                  board=args.board if args.board is not None else max(1, applications // 20),
                  interviews=args.interviews if args.interviews is not None else max(2, args.candidates // 10),
                  scorecards=args.scorecards if args.scorecards is not None else max(1, args.candidates * 3 // 100),
                  events=args.events if args.events is not None else round(applications * 3.35))
    small = Shape(**asdict(shape)).scaled(args.small_org_size) if args.small_org_size else None
    return shape, small


def setup(*, migrate: bool = True) -> None:
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def find(shape: Shape):
    """The complete organization of this shape, or None."""
    from hirelens.core.models import Organization

    return Organization.objects.filter(slug=shape.slug, name=_name(shape)).first()


def _name(shape: Shape) -> str:
    return f"规模测试 {shape.candidates:,}"


def ensure(shape: Shape, *, seed: int = 22, quiet: bool = False):
    """The organization of this shape: reused when complete, else seeded. Returns (organization, seconds spent)."""
    from hirelens.core.models import Organization

    org = find(shape)
    if org is not None:
        if not quiet:
            print(f"reusing {org.slug} ({shape.candidates:,} candidates)", flush=True)
        return org, 0.0
    stale = Organization.objects.filter(slug=shape.slug).first()
    if stale is not None:  # an interrupted run: keep its rows out of the way, seed again
        stale.slug, stale.name = f"{shape.slug}-x{stale.pk}"[:64], f"{stale.name}（中断）"
        stale.save(update_fields=["slug", "name"])
    started = time.perf_counter()
    org = Seeder(shape, seed=seed, quiet=quiet).run()
    return org, time.perf_counter() - started


class Seeder:
    def __init__(self, shape: Shape, *, seed: int, quiet: bool):
        from django.utils import timezone

        self.shape, self.rng, self.quiet = shape, random.Random(seed), quiet
        self.now = timezone.now().replace(microsecond=0)
        self.t0 = time.perf_counter()

    def say(self, text: str) -> None:
        if not self.quiet:
            print(f"  [{time.perf_counter() - self.t0:6.1f}s] {text}", flush=True)

    # --- organization, people, positions, processes -------------------------------------------------------------

    def run(self):
        from hirelens.core.models import Organization

        shape = self.shape
        self.org = Organization.objects.create(name=_name(shape) + "（生成中）", slug=shape.slug)
        self.people()
        self.positions_and_processes()
        self.applications()
        self.interviews()
        self.scorecards()
        # the analytics aggregates the services keep up to date: rows written in bulk need one rebuild
        from hirelens.analytics.services import aggregates_rebuild

        written = aggregates_rebuild(organization_id=self.org.pk)
        self.say(f"analytics aggregates rebuilt: {sum(written.values()):,} rows")
        from _seed import analyze

        analyze()
        self.org.name = _name(shape)
        self.org.save(update_fields=["name"])
        self.say("done")
        return self.org

    def people(self) -> None:
        from _seed import chinese_name
        from django.contrib.auth.hashers import make_password

        from hirelens.accounts.models import User

        slug, org = self.org.slug, self.org
        unusable = make_password(None)
        self.admin = User.objects.create_user(f"admin@{slug}.bench", "bench-password", full_name="王敏", role="hr_admin",
                                              organization=org)
        self.panel = [User.objects.create_user(f"iv0@{slug}.bench", "bench-password", full_name="李娜", role="interviewer",
                                               organization=org)]
        rows = [User(email=f"iv{i}@{slug}.bench", full_name=chinese_name(self.rng), role="interviewer", organization=org,
                     password=unusable) for i in range(1, self.shape.interviewers)]
        rows += [User(email=f"hm{i}@{slug}.bench", full_name=chinese_name(self.rng), role="hiring_manager", organization=org,
                      password=unusable) for i in range(5)]
        rows += [User(email=f"rec{i}@{slug}.bench", full_name=chinese_name(self.rng), role="recruiter", organization=org,
                      password=unusable) for i in range(3)]
        made = User.objects.bulk_create(rows)
        self.panel += [u for u in made if u.role == "interviewer"]
        self.managers = [u for u in made if u.role == "hiring_manager"]
        self.say(f"{1 + len(made)} staff")

    def positions_and_processes(self) -> None:
        from hirelens.positions.models import Position, PositionAssignment
        from hirelens.workflows import services as wf

        titles = [(department, title) for department, names in DEPARTMENTS.items() for title in names]
        self.positions, self.stages, self.versions, self.assigned, self.manager_of = [], {}, {}, {}, {}
        for i in range(self.shape.positions):
            department, title = titles[i % len(titles)]
            city = CITIES[(i // len(titles) + i) % len(CITIES)]
            position = Position.objects.create(organization=self.org, title=f"{title}（{city}）", department=department,
                                               location=city, status="closed" if i % 13 == 12 else "open",
                                               description=f"{department}招聘{title}，工作地点{city}。")
            process = wf.process_create(actor=self.admin, position=position, starter=STARTER_OF.get(department, "management"))
            version = wf.process_publish(actor=self.admin, process=process)
            self.positions.append(position)
            self.versions[position.pk] = version
            self.stages[position.pk] = list(version.stages.order_by("order", "pk"))
        rows = []
        for i, position in enumerate(self.positions):
            panel = [self.panel[(i * 3 + k) % len(self.panel)] for k in range(3)]
            if i < 5 and self.panel[0] not in panel:  # the bench interviewer sits on the board and four other panels
                panel[0] = self.panel[0]
            self.assigned[position.pk] = panel
            rows += [PositionAssignment(organization=self.org, position=position, user=u, role="interviewer") for u in panel]
            self.manager_of[position.pk] = self.managers[i % len(self.managers)]
            rows.append(PositionAssignment(organization=self.org, position=position, user=self.manager_of[position.pk],
                                           role="hiring_manager"))
        PositionAssignment.objects.bulk_create(rows)
        self.say(f"{len(self.positions)} positions with published processes, {len(rows)} panel assignments")

    # --- candidates, applications, pipeline ---------------------------------------------------------------------

    def _depths(self, count: int) -> list[int]:
        """Advances per application: a funnel (most stay early)."""
        return self.rng.choices([0, 1, 2, 3], weights=[45, 30, 15, 10], k=count)

    def applications(self) -> None:
        from _seed import candidates_bulk, insert_rows, json_value, name_pool, seeded_timestamps
        from django.db import transaction

        from hirelens.candidates.models import Application, Candidate, TimelineEvent
        from hirelens.positions.models import Position
        from hirelens.workflows.models import ApplicationProgress, PipelineEvent

        shape, rng, org = self.shape, self.rng, self.org
        board, others = self.positions[0], self.positions[1:] or self.positions[:1]
        other_weights = [1 / (k + 1) ** 0.7 for k in range(len(others))]  # a few popular positions, a long tail
        total_apps = shape.applications
        # pipeline events beyond start/advance/terminal are hold + resume pairs, spread to reach --events
        span = 365 * DAY
        self.app_rows = []  # (application id, position, candidate id, advances, state, last event time)
        self.events_made = self.timeline_made = 0
        base_events = 0
        plan = []
        for i in range(total_apps):
            position = board if (i * shape.board) // total_apps != ((i + 1) * shape.board) // total_apps else \
                rng.choices(others, weights=other_weights)[0]
            plan.append(position)
        if plan and plan[0] is not board:  # the showcase application (the board's first) is the first one
            j = plan.index(board) if board in plan else 0
            plan[0], plan[j] = plan[j], plan[0]
        # the 张伟 every organization has (row 1) applied to a position the bench interviewer's panel covers (the first
        # five), so the interviewer's search finds him in the small organization as in the full one (like with like:
        # at 100,000 the check saw 13 queries against 6 only because the small one's interviewer found no 张伟)
        panel_positions = {p.pk for p in self.positions[:5]}
        if len(plan) > 3 and plan[1].pk not in panel_positions:
            k = next((k for k in range(3, len(plan)) if plan[k].pk in panel_positions), None)
            if k is not None:
                plan[1], plan[k] = plan[k], plan[1]
        # the position the fairness report opens on (the first by title, in the database's order) has an application
        first_titled = Position.objects.filter(organization=org).order_by("title", "pk").first()
        spare = next((k for k in range(3, len(plan)) if plan[k] is not board), None)
        if spare is not None and first_titled.pk not in {p.pk for p in plan}:
            plan[spare] = next(p for p in self.positions if p.pk == first_titled.pk)
        depths = self._depths(total_apps)
        terminals = []
        for i, position in enumerate(plan):
            stages = self.stages[position.pk]
            depths[i] = min(depths[i], len(stages) - 1)
            roll = rng.random()
            if i == 0:
                depths[i], terminal = len(stages) - 1, "complete"
            elif i == 2:  # created a year ago and rejected at once (no advance, no hold: at most 12 days later): due
                depths[i], terminal = 0, "reject"  # for the retention purge (365 days) within 30 days
            elif depths[i] == len(stages) - 1 and roll < 0.4:
                terminal = "complete" if roll < 0.15 else "reject"
            elif roll < 0.25:
                terminal = "reject" if roll < 0.2 else "withdraw"
            else:
                terminal = ""
            terminals.append(terminal)
            base_events += 1 + depths[i] + bool(terminal)
        pairs = max(0, (shape.events - base_events) // 2)
        holds = [0] * total_apps
        for _ in range(pairs):
            holds[rng.randrange(total_apps)] += 1
        if total_apps > 2:
            holds[2] = 0

        def when(i: int):
            at = self.now - span + span * (i + rng.random() * 0.5) / max(1, total_apps)
            return self.now - span + timedelta(hours=1) if i == 2 else at  # the one due for the purge: a year ago

        made = 0
        batch = 5000
        names = name_pool(rng, min(15_000, max(50, total_apps // 4)))
        for start in range(0, total_apps, batch):
            end = min(total_apps, start + batch)
            with transaction.atomic(), seeded_timestamps(Candidate, Application, ApplicationProgress):
                created = [when(i) for i in range(start, end)]
                rows = []
                for k, i in enumerate(range(start, end)):
                    name = rng.choice(names)
                    rows.append(Candidate(organization=org, full_name="张伟" if i == 1 else name, phone=f"13{org.pk % 10}{i:08d}",
                                          email=f"c{i}@{org.slug}.example.com", source=rng.choice(SOURCES),
                                          skills=rng.sample(SKILLS_FOR[plan[i].department], 3), resume_status="none",
                                          created_at=created[k], updated_at=created[k]))
                candidates = candidates_bulk(rows)
                apps, progresses, timeline, events, state_of = [], [], [], [], []
                for k, (i, candidate) in enumerate(zip(range(start, end), candidates, strict=True)):
                    position, stages = plan[i], self.stages[plan[i].pk]
                    at = created[k] + timedelta(minutes=rng.randint(1, 600))
                    moves = [("start", None, stages[0])] + [("advance", stages[d], stages[d + 1]) for d in range(depths[i])]
                    for _ in range(holds[i]):  # a pause and its resumption, on the stage the application was on then
                        after = rng.randint(1, len(moves))
                        here = moves[after - 1][2]
                        moves[after:after] = [("hold", here, here), ("resume", here, here)]
                    terminal = terminals[i]
                    current = stages[depths[i]]
                    if terminal:
                        moves.append((terminal, current, current))
                    state = {"complete": "completed", "reject": "rejected", "withdraw": "withdrawn"}.get(terminal, "active")
                    status = {"rejected": "rejected", "withdrawn": "withdrawn"}.get(state, "active")
                    stamps = []
                    for _move in moves:
                        at = min(self.now - timedelta(minutes=1), at + timedelta(hours=rng.randint(2, 24 * 6)))
                        stamps.append(at)
                    apps.append(Application(organization=org, candidate=candidate, position=position, stage=current.title[:100],
                                            status=status, created_at=created[k], updated_at=stamps[-1]))
                    progresses.append((position, current, state, created[k], stamps[-1]))
                    state_of.append((moves, stamps, state))
                apps = Application.objects.bulk_create(apps, batch_size=1000)
                progress_rows = ApplicationProgress.objects.bulk_create(
                    [ApplicationProgress(organization=org, application=a, version=self.versions[p.pk], stage=s, state=st,
                                         created_at=c, updated_at=u) for a, (p, s, st, c, u) in zip(apps, progresses, strict=True)],
                    batch_size=1000)
                for application, progress, (moves, stamps, state) in zip(apps, progress_rows, state_of, strict=True):
                    position = application.position
                    version = self.versions[position.pk]
                    for (action, before, after), at in zip(moves, stamps, strict=True):
                        reason = "开始面试流程 v1" if action == "start" else rng.choice(RATIONALES)
                        events.append((org.pk, at, at, progress.pk, action, getattr(before, "pk", None), after.pk, reason,
                                       self.admin.pk))
                        timeline.append((org.pk, at, at, application.candidate_id, f"pipeline.{action}", self.admin.pk, False,
                                         json_value({"position": position.title, "stage": after.title, "version": version.number})))
                    self.app_rows.append((application.pk, position, application.candidate_id, moves, stamps, state))
                self.events_made += insert_rows(PipelineEvent._meta.db_table, ["organization_id", "created_at", "updated_at", "progress_id",
                                                                               "action", "from_stage_id", "to_stage_id", "reason", "actor_id"],
                                                events)
                self.timeline_made += insert_rows(TimelineEvent._meta.db_table, ["organization_id", "created_at", "updated_at",
                                                                                  "candidate_id", "kind", "actor_id", "by_candidate", "params"],
                                                  timeline)
                made += len(apps)
            self.say(f"{made:,} / {total_apps:,} candidates and applications, {self.events_made:,} pipeline events")

    # --- interviews ---------------------------------------------------------------------------------------------

    def interviews(self) -> None:
        from _seed import seeded_timestamps
        from django.db import transaction

        from hirelens.interviews.models import InterviewSession
        from hirelens.live.models import LiveRoom
        from hirelens.scheduling.models import Interview

        rng, org, shape = self.rng, self.org, self.shape
        ai_total = max(1, round(shape.interviews * 0.6))
        live_total = max(2, shape.interviews - ai_total)
        # AI sessions: the showcase first, then applications at random; done (analysed) once they moved past it
        pool = self.app_rows[1:]
        ai_rows = [self.app_rows[0]] + rng.sample(pool, min(len(pool), ai_total - 1))
        at_live = [row for row in self.app_rows[1:] if len(self.stages[row[1].pk]) - 1 == _advances(row[3])]
        live_rows = [self.app_rows[0]] + rng.sample(at_live, min(len(at_live), live_total - 1))
        # the second live interview is one to come at the board position with the bench interviewer on its panel (the
        # scheduling pages' rows), on an active board application
        board_rows = [row for row in self.app_rows[1:] if row[1] is self.positions[0] and row[5] == "active"]
        if board_rows:
            live_rows[1:2] = [board_rows[0]]
        self.live_done = []
        with transaction.atomic(), seeded_timestamps(InterviewSession, Interview, LiveRoom):
            sessions = []
            for n, (app_id, position, _candidate, moves, stamps, _state) in enumerate(ai_rows):
                stage = self.stages[position.pk][0]
                sent = stamps[0] + timedelta(hours=1)
                done = _advances(moves) > 0 or n == 0
                questions = [{"text": q["text"], "prep_s": q.get("prep_seconds", 30), "answer_s": q.get("answer_seconds", 120),
                              "retakes": q.get("retakes", 1)} for q in stage.settings.get("questions", [])]
                sessions.append(InterviewSession(
                    organization=org, application_id=app_id, stage=stage, title=stage.title, questions=questions,
                    state="analysed" if done else rng.choice(["invited", "invited", "started", "submitted"]),
                    token_hash=hashlib.sha256(f"{org.slug}-session-{n}".encode()).hexdigest(),
                    expires_at=sent + 7 * DAY, invitations_sent=1, ai_analysis="accepted" if done else "pending",
                    started_at=sent + DAY if done else None, submitted_at=sent + DAY + timedelta(minutes=25) if done else None,
                    created_at=sent, updated_at=sent + DAY if done else sent))
            InterviewSession.objects.bulk_create(sessions, batch_size=1000)
            interviews, through = [], Interview.interviewers.through
            for n, (app_id, position, _candidate, _moves, stamps, state) in enumerate(live_rows):
                stage = self.stages[position.pk][-1]
                past = n == 0 or state != "active" or rng.random() < 0.5
                past = past and not (n == 1 and board_rows)
                begin = (stamps[-1] - 2 * DAY if past else self.now + timedelta(days=rng.randint(1, 30))).replace(
                    minute=0, second=0) + timedelta(hours=rng.randint(0, 8))
                if n == 0:  # the showcase's, held five days ago: its scorecards, feedback case and decision fall in
                    # the analytics period and the feedback dashboard's 30 days, its case late
                    begin = (self.now - 5 * DAY).replace(minute=0, second=0)
                interviews.append(Interview(
                    organization=org, application_id=app_id, stage=stage, title=stage.title, start_at=begin,
                    end_at=begin + timedelta(hours=1), time_zone="Asia/Shanghai", status="completed" if past else "scheduled",
                    uid=f"{org.slug}-{n}@bench.hirelens", created_by=self.admin, created_at=begin - 3 * DAY, updated_at=begin))
            interviews = Interview.objects.bulk_create(interviews, batch_size=1000)
            upcoming = interviews[1].pk if board_rows and len(interviews) > 1 else None
            links, rooms = [], []
            for interview, (_app, position, *_rest) in zip(interviews, live_rows, strict=True):
                panel = rng.sample(self.assigned[position.pk], 2) if interview.pk not in (interviews[0].pk, upcoming) else \
                    [self.panel[0], self.assigned[position.pk][1]]
                if "hiring_manager" in self.stages[position.pk][-1].score_roles:  # a stage only the hiring manager scores
                    panel = [self.manager_of[position.pk], panel[0]]
                links += [through(interview_id=interview.pk, user_id=u.pk) for u in panel]
                if interview.status == "completed":
                    self.live_done.append((interview, position, panel))
                    rooms.append(LiveRoom(organization=org, interview=interview, application_id=interview.application_id,
                                          state="ended", opened_at=interview.start_at, ended_at=interview.end_at,
                                          candidate_admitted=True, candidate_admitted_at=interview.start_at,
                                          created_at=interview.start_at, updated_at=interview.end_at))
            through.objects.bulk_create(links, batch_size=5000)
            LiveRoom.objects.bulk_create(rooms, batch_size=1000)
        self.sessions_made, self.live_made, self.rooms_made = len(sessions), len(interviews), len(rooms)
        self.say(f"{len(sessions):,} AI interview sessions, {len(interviews):,} live interviews ({len(rooms):,} held, with their rooms)")

    # --- scorecards and decisions -------------------------------------------------------------------------------

    def scorecards(self) -> None:
        """Submitted scorecards as ``scorecard_submit`` leaves them (card, one rating per dimension with its
        denormalised columns and the panel's item figures, the candidate's timeline entry, the feedback case), in
        bulk; no audit entries, surveys or webhooks. A decision for every third card."""
        from _seed import insert_rows, json_value, seeded_timestamps
        from django.db import transaction

        from hirelens.candidates.models import TimelineEvent
        from hirelens.evaluations.models import DEFAULT_SCALE_MAX, DEFAULT_SCALE_MIN, Decision, Scorecard, ScorecardRating
        from hirelens.evaluations.services import rating_month
        from hirelens.feedback.models import FeedbackCase

        rng, org = self.rng, self.org
        chosen = []
        for interview, position, panel in self.live_done:
            stage = self.stages[position.pk][-1]
            chosen += [(interview, position, user) for user in panel
                       if not stage.score_roles or user.role in stage.score_roles]
        first = [c for c in chosen if c[0].pk == self.live_done[0][0].pk]  # the showcase's cards
        rest = [c for c in chosen if c[0].pk != self.live_done[0][0].pk]
        chosen = (first + rng.sample(rest, min(len(rest), max(0, self.shape.scorecards - len(first)))))[: self.shape.scorecards]
        with transaction.atomic(), seeded_timestamps(Scorecard, ScorecardRating, Decision, FeedbackCase):
            cards = []
            for interview, position, user in chosen:
                at = interview.end_at + timedelta(hours=rng.randint(1, 30))
                cards.append(Scorecard(organization=org, application_id=interview.application_id, stage=self.stages[position.pk][-1],
                                       position=position, interviewer=user, status="submitted", scale_min=DEFAULT_SCALE_MIN,
                                       scale_max=DEFAULT_SCALE_MAX, recommendation=rng.choice(["strong_yes", "yes", "no", "yes"]),
                                       summary=rng.choice(REASONS), submitted_at=at, created_at=at - timedelta(minutes=20), updated_at=at))
            cards = Scorecard.objects.bulk_create(cards, batch_size=1000)
            ratings, items = [], {}
            for card in cards:
                for dimension in card.position.scorecard_dimensions:
                    score = rng.randint(4, 9)
                    items.setdefault((card.application_id, card.stage_id, dimension), []).append(score)
                    ratings.append(ScorecardRating(
                        organization=org, scorecard=card, dimension=dimension, score=score, reason=rng.choice(REASONS),
                        position=card.position, department=card.position.department, interviewer_id=card.interviewer_id,
                        submitted_at=card.submitted_at, month=rating_month(card.submitted_at), application_id=card.application_id,
                        stage_id=card.stage_id, scale_max=card.scale_max, created_at=card.submitted_at, updated_at=card.submitted_at))
            for rating in ratings:  # the panel's figures per item, as item_stats_refresh keeps them
                scores = items[(rating.application_id, rating.stage_id, rating.dimension)]
                rating.item_n, rating.item_sum, rating.item_min, rating.item_max = len(scores), sum(scores), min(scores), max(scores)
            ScorecardRating.objects.bulk_create(ratings, batch_size=2000)
            candidate_of = {row[0]: row[2] for row in self.app_rows}
            insert_rows(TimelineEvent._meta.db_table, ["organization_id", "created_at", "updated_at", "candidate_id", "kind", "actor_id",
                                                       "by_candidate", "params"],
                        [(org.pk, c.submitted_at, c.submitted_at, candidate_of[c.application_id], "evaluation.scorecard_submitted",
                          c.interviewer_id, False, json_value({"stage": c.stage.title, "position": c.position.title,
                                                               "position_id": c.position_id})) for c in cards])
            cases, decisions = {}, []
            for n, card in enumerate(cards):
                key = (card.application_id, card.stage.key)
                if key not in cases:  # feedback_case_open: the first card starts the clock (default rule: 24 hours)
                    cases[key] = FeedbackCase(organization=org, application_id=card.application_id, stage=card.stage, stage_key=card.stage.key,
                                              position=card.position, opened_at=card.submitted_at, due_at=card.submitted_at + DAY,
                                              created_at=card.submitted_at, updated_at=card.submitted_at)
                if n % 3 == 0:
                    at = min(card.submitted_at + 2 * DAY, self.now - timedelta(minutes=1))
                    decisions.append(Decision(organization=org, application_id=card.application_id, stage=card.stage,
                                              outcome=rng.choice(["advance", "hold", "reject", "hire"]), rationale=rng.choice(RATIONALES),
                                              decided_by=self.admin, scorecards_considered=2, created_at=at, updated_at=at))
            FeedbackCase.objects.bulk_create(cases.values(), batch_size=1000)
            Decision.objects.bulk_create(decisions, batch_size=1000)
        self.say(f"{len(cards):,} scorecards ({len(ratings):,} ratings), {len(cases):,} feedback cases, {len(decisions):,} decisions")


SKILLS_FOR = {
    "销售部": ["销售", "客户关系管理", "商务谈判", "英语", "Excel", "市场营销"],
    "技术部": ["Python", "Java", "Go", "JavaScript", "React", "Vue", "SQL", "PostgreSQL", "Redis", "Docker", "Linux", "机器学习"],
    "市场部": ["市场营销", "数据分析", "英语", "项目管理", "新媒体"],
    "人力资源部": ["招聘", "团队协作", "项目管理", "Excel", "沟通"],
    "财务部": ["财务分析", "Excel", "SQL", "英语", "数据分析"],
}


def _advances(moves) -> int:
    return sum(1 for action, *_ in moves if action == "advance")


def counts(org) -> dict[str, int]:
    from hirelens.candidates.models import Application, Candidate, SearchToken, TimelineEvent
    from hirelens.evaluations.models import Decision, Scorecard, ScorecardRating
    from hirelens.interviews.models import InterviewSession
    from hirelens.positions.models import Position
    from hirelens.scheduling.models import Interview
    from hirelens.workflows.models import PipelineEvent

    mine = {"organization_id": org.pk}
    return {
        "candidates": Candidate.objects.filter(**mine).count(),
        "search tokens": SearchToken.objects.filter(**mine).count(),
        "positions": Position.objects.filter(**mine).count(),
        "applications": Application.objects.filter(**mine).count(),
        "board applications": Application.objects.filter(**mine, position=Position.objects.filter(**mine).order_by("pk").first()).count(),
        "pipeline events": PipelineEvent.objects.filter(**mine).count(),
        "timeline events": TimelineEvent.objects.filter(**mine).count(),
        "AI interview sessions": InterviewSession.objects.filter(**mine).count(),
        "live interviews": Interview.objects.filter(**mine).count(),
        "scorecards": Scorecard.objects.filter(**mine).count(),
        "ratings": ScorecardRating.objects.filter(**mine).count(),
        "decisions": Decision.objects.filter(**mine).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_shape_arguments(parser)
    args = parser.parse_args()
    shape, small = shapes_from(args)
    started = time.perf_counter()
    setup()
    from django.db import connection

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    for each in [shape] + ([small] if small else []):
        org, spent = ensure(each)
        figures = counts(org)
        print(f"{org.slug}: " + (f"seeded in {spent:.1f} s" if spent else "reused") + "; "
              + ", ".join(f"{name} {value:,}" for name, value in figures.items()), flush=True)
    print(f"elapsed {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
