"""Every staff page and every GET operation of the open API, timed on the scale dataset, with a query-count bound check.

    HIRELENS_VAR_DIR=/tmp/x .venv/bin/python bench/dataset.py        # once: the dataset (reused afterwards)
    HIRELENS_VAR_DIR=/tmp/x .venv/bin/python bench/pages.py          # same shape options as dataset.py
    HIRELENS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hl_bench .venv/bin/python bench/pages.py --runs 30
    .venv/bin/python bench/pages.py --candidates 20000 --only board --seed   # seed first if missing; pages matching the expression 'board'

Logs in (Django's test client in this process: middleware, sessions, templates, no network) as the dataset's HR
admin and as an interviewer on the board position's panel, and requests every page of the URL conf that a staff
member opens with GET (pages reached by a candidate's or a signed link, callbacks and POST-only actions are left
out: a GET that answers 405 is POST-only), path parameters filled with the dataset's objects (the board position
with its 5,000 applications, its first application with an AI session, a live interview, scorecards and a
decision, that candidate, ...); then every GET operation of /api/v1 with an API key of the HR admin (default
query: the API's own page size). Each is requested once cold, counting its queries, then up to ``--runs`` times
to time it (fewer for a slow page: about ``--budget`` seconds each; a page slower than that is timed by its first
request alone; "runs" says how many), all inside one transaction rolled back at the end (audit entries written by
reads included), so the dataset stays as it was. One JSON line per page and role:
{"page", "role", "p50_ms", "p95_ms", "queries", "small_queries", "bytes", "status"}; then a table sorted by p95.

Bound check: the same pages are requested on the small organization of the same shape (``--small-org-size``,
default 200 candidates; dataset.py seeds every organization, however small, with rows on every page: a candidate due
for the retention purge, a 张伟, an interview to come at the board position, a recent held interview with its
scorecards, late feedback case and decision, ...); a page whose query count is higher on the full dataset than on the
small one makes its queries grow with the data: they are listed and the exit status is 1. The one exception is
``GROWS_BY_DESIGN`` (the candidates export): it may grow by exactly its stated amount, no more.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import add_shape_arguments, ensure, find, setup, shapes_from  # noqa: E402

GOAL_MS = 200
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# pages that are not a staff member's: signed links, candidates' pages, callbacks, sign-in, machine endpoints
LEFT_OUT = {"accounts:login", "accounts:logout", "accounts:password_reset", "accounts:password_reset_done",
            "accounts:password_reset_complete", "accounts:otp_verify", "set_language", "healthz", "favicon", "metrics",
            "messaging:wechat_callback", "messaging:wecom_callback", "live:consent"}
LEFT_OUT_PARAMS = {"token", "uidb64", "org_slug"}
# a parameter whose name means another object on this URL
PARAM_OVERRIDES = {("portal:link_revoke", "link_id"): "portal_link_id", ("scheduling:link_revoke", "link_id"): "interview_link_id",
                   ("live:incident_report", "kind"): "incident_kind", ("interviews:request_detail", "request_id"): "candidate_request_id",
                   ("interviews:notice_edit", "kind"): "notice_kind", ("workflows:stage_edit", "stage_id"): "draft_stage_id",
                   ("workflows:stage_card", "stage_id"): "draft_stage_id", ("workflows:stage_delete", "stage_id"): "draft_stage_id",
                   ("workflows:designer", "process_id"): "process_id", ("candidates:document_review", "document_id"): "document_id"}
# Pages whose queries grow with the data by design: (why, queries for an organization of n candidates). The bound check
# allows the difference between the two organizations, and no more (a query per row on top still fails).
GROWS_BY_DESIGN = {
    "imports:export": ("the file of every candidate is streamed in pieces of 1,000 (imports.export.CHUNK), three queries "
                       "a piece (the candidates, their tags, their applications): the pieces grow with the candidates, "
                       "a piece's queries do not", lambda n: 3 * -(-n // 1000)),
}
# extra requests worth timing on their own: (label, URL name, query)
VARIANTS = [("candidates:index?q=张伟", "candidates:index", "?q=%E5%BC%A0%E4%BC%9F"),
            ("GET /api/v1/candidates/?q=张伟", "GET /api/v1/candidates/", "?q=%E5%BC%A0%E4%BC%9F")]


# --- the objects a URL's parameters name ------------------------------------------------------------------------

def dataset_ids(org) -> dict:
    """Ids of the same objects in every organization of the dataset's shape (see dataset.py: the board position is the
    organization's first, its first application the 'showcase' with every kind of object hanging off it)."""
    from django.apps import apps

    from hirelens.accounts.models import User
    from hirelens.candidates.models import Application
    from hirelens.evaluations.models import Decision, Scorecard
    from hirelens.feedback.models import FeedbackCase
    from hirelens.interviews.choice import EDITABLE_KINDS
    from hirelens.interviews.models import InterviewSession
    from hirelens.live.models import LiveRoom
    from hirelens.positions.models import Position, PositionAssignment
    from hirelens.scheduling.models import Interview
    from hirelens.workflows.models import Process

    mine = {"organization_id": org.pk}
    board = Position.objects.filter(**mine).order_by("pk").first()
    application = Application.objects.filter(**mine, position=board).order_by("pk").first()
    process = Process.objects.get(position=board, is_active=True)
    version = application.progress.version
    draft = process.versions.filter(status="draft").first()
    interviewer = User.objects.filter(**mine, role="interviewer").order_by("pk").first()
    interview = Interview.objects.filter(application=application).order_by("pk").first()
    ids = {
        "position_id": board.pk, "application_id": application.pk, "candidate_id": application.candidate_id,
        "process_id": process.pk, "version_id": version.pk, "stage_id": version.stages.order_by("order", "pk").last().pk,
        "stage_key": version.stages.order_by("order", "pk").first().key,  # the board's fullest column
        "draft_stage_id": draft.stages.order_by("order", "pk").first().pk if draft else None,
        "user_id": interviewer.pk, "assignment_id": PositionAssignment.objects.filter(position=board, user=interviewer).first().pk,
        "session_id": InterviewSession.objects.filter(application=application).values_list("pk", flat=True).first(),
        "interview_id": getattr(interview, "pk", None),
        "room_id": LiveRoom.objects.filter(interview=interview).values_list("pk", flat=True).first(),
        "scorecard_id": Scorecard.objects.filter(application=application).order_by("pk").values_list("pk", flat=True).first(),
        "decision_id": Decision.objects.filter(application=application).values_list("pk", flat=True).first(),
        "case_id": FeedbackCase.objects.filter(application=application).values_list("pk", flat=True).first(),
        "field": "phone", "kind": "invitation", "language": "zh-hans", "incident_kind": "late",
        "notice_kind": sorted(EDITABLE_KINDS)[0],
    }
    # objects the dataset does not make: the organization's first, if it has one (else the page is left out)
    firsts = {"ticket_id": "messaging.Ticket", "message_id": "messaging.Message", "privacy_request_id": "privacy.PrivacyRequest",
              "endpoint_id": "webhooks.WebhookEndpoint", "delivery_id": "webhooks.WebhookDelivery", "batch_id": "imports.ImportBatch",
              "key_id": "integrations.ApiKey", "audit_id": "fairness.FairnessAudit", "pia_id": "fairness.PIAVersion",
              "invitation_id": "accounts.Invitation", "document_id": "candidates.Document", "project_id": "candidates.Project",
              "work_id": "candidates.WorkExperience", "check_id": "candidates.BackgroundCheck", "slot_id": "scheduling.InterviewSlot",
              "asset_id": "workflows.StageAsset", "portal_link_id": "portal.PortalLink", "interview_link_id": "scheduling.InterviewLink",
              "candidate_request_id": "interviews.CandidateRequest", "answer_id": "interviews.Answer"}
    for key, label in firsts.items():
        model = apps.get_model(label)
        if any(f.attname == "organization_id" for f in model._meta.concrete_fields):
            ids[key] = model.objects.filter(**mine).order_by("pk").values_list("pk", flat=True).first()
    return {key: value for key, value in ids.items() if value is not None}


def walk(patterns=None, prefix="", namespace=""):
    from django.urls import URLPattern, URLResolver, get_resolver

    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, route, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}{entry.name}" if entry.name else route


def staff_pages() -> list[tuple[str, str]]:
    """(URL name, route) of every page a staff member may open, from the URL conf."""
    pages = []
    for route, name in walk():
        if name.startswith("api") or route.startswith("api/") or name in LEFT_OUT:
            continue
        if {param for _converter, param in PARAM.findall(route)} & LEFT_OUT_PARAMS:
            continue
        pages.append((name, route))
    return sorted(set(pages))


def fill(name: str, route: str, ids: dict) -> str | None:
    """The URL with the organization's objects in its parameters; None when the dataset has no such object."""
    missing = []

    def value(match):
        key = PARAM_OVERRIDES.get((name, match.group(2)), match.group(2))
        if key not in ids:
            missing.append(key)
            return "x"
        return str(ids[key])

    url = "/" + PARAM.sub(value, route)
    return None if missing else url


def api_operations() -> list[str]:
    """'GET /api/v1/...' of every GET operation in the OpenAPI document (paths with {params})."""
    from config.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return sorted(f"GET {path}" for path, operations in schema["paths"].items() if "get" in operations)


def fill_api(operation: str, ids: dict) -> str | None:
    path = operation.split(" ", 1)[1]
    missing = [p for p in re.findall(r"\{(\w+)\}", path) if p not in ids]
    return None if missing else re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


# --- measuring --------------------------------------------------------------------------------------------------

def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def body_size(response, started: float | None = None) -> tuple[int, float | None]:
    """The body's size and, for a streamed response, the milliseconds from ``started`` to its first piece."""
    if getattr(response, "streaming", False):
        size, first = 0, None
        for part in response.streaming_content:
            if first is None and started is not None:
                first = (time.perf_counter() - started) * 1000
            size += len(part)
        return size, first
    return len(response.content), None


def measure(client, url: str, runs: int, budget_ms: float) -> dict:
    """One request that counts the queries (cold: it also warms), then up to ``runs`` timed ones, fewer when the page is
    slow: about ``budget_ms`` in all per page (a page slower than that is timed by its counted request alone)."""
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):  # no cap on the count (CaptureQueriesContext keeps the last 9,000)
        response = client.get(url)
        size, first_byte = body_size(response, started)
    first = (time.perf_counter() - started) * 1000
    timings, first_bytes, cold_first_byte = [], [], first_byte
    for _ in range(min(runs, int(budget_ms // max(first, 1.0))) if response.status_code != 405 else 0):
        started = time.perf_counter()
        _size, first_byte = body_size(client.get(url), started)
        timings.append((time.perf_counter() - started) * 1000)
        if first_byte is not None:
            first_bytes.append(first_byte)
    samples = timings or [first]
    first_bytes = first_bytes or ([cold_first_byte] if cold_first_byte is not None else [])
    row = {"status": response.status_code, "queries": len(queries), "bytes": size, "runs": len(timings),
           "p50_ms": round(statistics.median(samples), 1), "p95_ms": round(percentile(samples, 0.95), 1)}
    if first_bytes:  # a streamed file: when its first bytes leave matters to the person waiting, not when its last do
        row["first_byte_p95_ms"] = round(percentile(first_bytes, 0.95), 1)
    return row


def unbounded(full: dict[str, int], small: dict[str, int], allowed: dict[str, int] | None = None) -> list[tuple[str, int, int]]:
    """Pages whose query count on the full dataset is higher than on the small organization (by more than ``allowed``
    gives the page, if anything): (page, full, small)."""
    allowed = allowed or {}
    return sorted((page, count, small[page]) for page, count in full.items()
                  if page in small and count > small[page] + allowed.get(page, 0))


def allowed_growth(labels, full_candidates: int, small_candidates: int) -> dict[str, int]:
    """The extra queries ``GROWS_BY_DESIGN`` allows each of ``labels`` ("page (role)") between the two organizations."""
    return {label: grows(full_candidates) - grows(small_candidates) for label in labels
            for page, (_why, grows) in GROWS_BY_DESIGN.items() if label.split(" (")[0] == page}


def clients_for(org):
    from django.test import Client

    from hirelens.accounts.models import User
    from hirelens.integrations.testing import make_api_key

    admin = User.objects.get(email=f"admin@{org.slug}.bench")
    interviewer = User.objects.get(email=f"iv0@{org.slug}.bench")
    clients = {}
    for role, user in (("hr_admin", admin), ("interviewer", interviewer)):
        clients[role] = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HOST="localhost")
        clients[role].force_login(user)
    _key, token = make_api_key(admin, rate_limit=10**9, name="bench/pages.py")
    clients["api"] = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="zh-hans",
                            HTTP_HOST="localhost")
    return clients


def plan(org, *, only: str = "") -> tuple[list[tuple[str, str, str]], list[str]]:
    """(label, role, URL) to request in this organization, and the pages left out (with why)."""
    ids = dataset_ids(org)
    todo, left = [], []
    for name, route in staff_pages():
        url = fill(name, route, ids)
        if url is None:
            left.append(f"{name}: no such object in the dataset")
            continue
        for role in ("hr_admin", "interviewer"):
            todo.append((name, role, url))
    for operation in api_operations():
        url = fill_api(operation, ids)
        if url is None:
            left.append(f"{operation}: no such object in the dataset")
            continue
        todo.append((operation, "api", url))
    urls = {label: url for label, _role, url in todo}
    for label, base, query in VARIANTS:
        if base in urls:
            todo += [(label, role, urls[base] + query) for role in (("api",) if base.startswith("GET ") else ("hr_admin", "interviewer"))]
    if only:
        todo = [row for row in todo if re.search(only, row[0]) or re.search(only, row[2])]
    return todo, left


def run_org(org, *, runs: int, only: str, budget_ms: float = 0, post_only: set[str] | None = None, print_lines: bool = False) -> tuple[dict, list[str], set[str]]:
    """Measure every planned page of one organization inside a transaction that is rolled back."""
    from django.db import transaction

    results, found_post_only = {}, set()
    with transaction.atomic():
        clients = clients_for(org)
        todo, left = plan(org, only=only)
        for label, role, url in todo:
            if label in found_post_only or (post_only is not None and label in post_only):
                continue
            row = {"page": label, "role": role, "url": url, **measure(clients[role], url, runs, budget_ms)}
            if row["status"] == 405:  # an action (POST only), not a page
                found_post_only.add(label)
                continue
            results[(label, role)] = row
            if print_lines:
                print(json.dumps({k: row[k] for k in ("page", "role", "p50_ms", "p95_ms", "runs", "queries", "bytes", "status")},
                                 ensure_ascii=False), flush=True)
        transaction.set_rollback(True)
    return results, left, found_post_only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_shape_arguments(parser)
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page, after the one that counts its queries")
    parser.add_argument("--budget", type=float, default=5.0, help="seconds of timed requests per page at most (a slow page gets fewer runs)")
    parser.add_argument("--only", default="", help="only pages whose name or URL matches this regular expression")
    parser.add_argument("--seed", action="store_true", help="seed the dataset first when it is missing (bench/dataset.py)")
    parser.add_argument("--progress", action="store_true", help="print each page's line as soon as it is measured too")
    parser.add_argument("--no-migrate", action="store_true", help="the database is migrated already")
    args = parser.parse_args()
    shape, small = shapes_from(args)
    setup(migrate=not args.no_migrate)
    from django.urls import get_resolver

    from hirelens.core.process import freeze_loaded

    get_resolver().url_patterns  # noqa: B018 - loaded now, as a web process has loaded it after its first requests
    freeze_loaded()  # as config/asgi.py does in the web process
    import logging

    from django.db import connection

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the interviewer's expected 403/404s are not news

    orgs = []
    for each in [shape] + ([small] if small else []):
        org = ensure(each)[0] if args.seed else find(each)
        if org is None:
            sys.exit(f"no complete dataset of {each.candidates:,} candidates ({each.slug}) in this database: run bench/dataset.py "
                     "with the same options first (or pass --seed)")
        orgs.append(org)
    vendor = connection.vendor
    print(f"database: {vendor}; {shape.candidates:,} candidates ({orgs[0].slug}); {args.runs} timed requests per page", flush=True)
    started = time.perf_counter()
    full, left, post_only = run_org(orgs[0], runs=args.runs, only=args.only, budget_ms=args.budget * 1000, print_lines=args.progress)
    small_counts = {}
    if small:
        small_rows, _left, _post = run_org(orgs[1], runs=0, only=args.only, post_only=post_only)
        small_counts = {key: row["queries"] for key, row in small_rows.items()}
    for key, row in full.items():
        row["small_queries"] = small_counts.get(key)
        print(json.dumps({k: row[k] for k in ("page", "role", "p50_ms", "p95_ms", "first_byte_p95_ms", "runs", "queries", "small_queries",
                                              "bytes", "status") if k in row},
                         ensure_ascii=False))
    rows = sorted(full.values(), key=lambda r: r["p95_ms"] or 0, reverse=True)
    print(f"\n{len(rows)} requests ({len(post_only)} POST-only URLs and {len(left)} without an object in the dataset left out) "
          f"in {time.perf_counter() - started:.0f} s; {vendor}, {shape.candidates:,} candidates")
    print(f"{'page':<62} {'role':<12} {'p50':>8} {'p95':>8} {'runs':>4} {'queries':>8} {'small':>6} {'bytes':>9} status")
    for row in rows:
        print(f"{row['page'][:62]:<62} {row['role']:<12} {row['p50_ms']:>6.1f}ms {row['p95_ms']:>6.1f}ms {row['runs']:>4} {row['queries']:>8} "
              f"{row['small_queries'] if row['small_queries'] is not None else '-':>6} {row['bytes']:>9} {row['status']}")
    slow = [f"{r['page']} ({r['role']}) {r['p95_ms']:.0f} ms" for r in rows if (r["p95_ms"] or 0) >= GOAL_MS]
    print(f"\np95 ≥ {GOAL_MS} ms: {len(slow)}" + ("".join(f"\n  {s}" for s in slow)))
    for r in rows:
        if "first_byte_p95_ms" in r:
            print(f"streamed: {r['page']} ({r['role']}) first byte p95 {r['first_byte_p95_ms']:.0f} ms, "
                  f"last byte p95 {r['p95_ms']:.0f} ms ({r['bytes']:,} bytes)")
    if left:
        print("left out (no object of that kind in the dataset): " + "; ".join(left))
    labels = {f"{p} ({r})": row["queries"] for (p, r), row in full.items()}
    allowed = allowed_growth(labels, shape.candidates, small.candidates) if small else {}
    growing = unbounded(labels, {f"{p} ({r})": n for (p, r), n in small_counts.items()}, allowed)
    for label, extra in sorted(allowed.items()):
        print(f"allowed to grow: {label} by {extra} queries ({GROWS_BY_DESIGN[label.split(' (')[0]][0]})")
    if growing:
        print(f"\nqueries grow with the data ({len(growing)} pages; full dataset vs {small.candidates} candidates):")
        for page, count, few in growing:
            print(f"  {page}: {count} vs {few}")
        sys.exit(1)
    print("\nquery counts bounded: every page makes the same number of queries on the full dataset as on the small one"
          + (" (imports:export: no more than its pieces)" if allowed else "")
          if small else "\n(no small organization: query bound not checked)")


if __name__ == "__main__":
    main()
