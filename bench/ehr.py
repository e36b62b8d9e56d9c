"""Benchmark of the candidate record hub: prints figures, asserts nothing.

    python bench/ehr.py                                    # SQLite, 100,000 candidates, 10,000-row import
    python bench/ehr.py --database-url postgres://postgres@127.0.0.1:5432/hirelens_bench_ehr
    HIRELENS_DATABASE_URL=postgres://... python bench/ehr.py   # the same, from the environment
    python bench/ehr.py --count 20000 --import-rows 2000   # quicker
    python bench/ehr.py --count 100000 --no-import --only-names   # the name-search table of issue 16 alone

A fresh database (SQLite in a temporary directory, or the given PostgreSQL database, dropped and
re-created). N candidates with encrypted names, contacts and resume text, keyed search tokens and one
application each are bulk-loaded; then searches of every kind run as the list page runs them (count +
first page of 20), as HR and as an interviewer scoped to one position. Figures: p50/p95/max per kind.
One in five names is Latin (Zhang Wei, Emily Brown); the name searches of issue 16 are measured too: a single
character "伟", a full name, a Latin prefix "Zha", pinyin "zhang wei", initials "zw", an exact phone number, and
the list's first page and a keyset page 90 % deep (each as the list page runs it: exact count up to 10,000, one
page of 20 decrypted).
Then a CSV of M rows (2% bad phones, 1% duplicates inside the file, 1% duplicates of existing records)
goes through the import sandbox: upload + validate (report) and commit, each timed.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯晨悦欣怡子轩梓涵一诺"
EMPLOYERS = ["阿里巴巴集团", "腾讯科技有限公司", "华为技术有限公司", "字节跳动科技有限公司", "美团", "京东集团", "平安银行", "招商银行",
             "Acme Technologies Inc.", "Globex Corporation", "小米科技有限责任公司", "网易公司", "百度在线", "携程集团"]
SKILLS = ["Python", "Java", "Go", "JavaScript", "React", "Vue", "Django", "SQL", "PostgreSQL", "MySQL", "Redis", "Docker",
          "Kubernetes", "Linux", "Excel", "销售", "客户关系管理", "商务谈判", "数据分析", "机器学习", "项目管理", "团队协作", "英语", "市场营销"]
DUTIES = ["负责核心业务系统的设计与开发", "带领团队完成重点客户项目", "搭建数据分析平台并推动落地", "负责华东区渠道拓展与大客户维护",
          "Led the migration of billing services to the cloud", "Built dashboards for the sales team", "主导供应链系统重构",
          "负责校园招聘活动策划与执行", "优化推荐算法提升转化率", "Managed key accounts in the retail sector", "建立客服质检流程提升客户满意度",
          "负责移动端应用的性能优化"]
LATIN_GIVEN = ["Emily", "James", "Olivia", "Noah", "Sophia", "Liam", "Zoe", "Lucas", "Mia", "Ethan", "Wei", "Fang", "Lei", "Min"]
LATIN_SURNAMES = ["Zhang", "Zhao", "Zhou", "Wang", "Li", "Chen", "Brown", "Smith", "Garcia", "Miller", "Nguyen", "Khan", "Lee"]
SCHOOLS = ["北京大学", "清华大学", "复旦大学", "浙江大学", "南京大学", "武汉大学", "中山大学", "Fudan University", "Zhejiang University"]


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def setup_django(database_url: str | None, reuse: str = "") -> None:
    var = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix="hirelens-bench-ehr-"))
    print(f"data in {var}")
    os.environ["HIRELENS_VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if database_url and not reuse:
        import psycopg

        base, name = database_url.rsplit("/", 1)
        if "bench" not in name:  # the database is dropped and re-created: never someone's working database
            sys.exit(f"refusing to drop database {name!r}: give a database whose name contains 'bench'")
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    if database_url:
        os.environ["HIRELENS_DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(count: int):
    from functools import lru_cache

    from django.db import connection

    from hirelens.accounts.models import User
    from hirelens.candidates.models import Application, Candidate, SearchToken
    from hirelens.candidates.search import document_tokens, name_tokens

    cached_name_tokens = lru_cache(maxsize=None)(name_tokens)  # names repeat: hash each distinct name once
    from hirelens.core.models import Organization
    from hirelens.positions.models import Position, PositionAssignment

    org = Organization.objects.create(name="Bench", slug="bench")
    admin = User.objects.create_user(email="admin@bench.example", password="x", full_name="Admin", organization=org, role="hr_admin")
    interviewer = User.objects.create_user(email="iv@bench.example", password="x", full_name="IV", organization=org, role="interviewer")
    positions = [Position.objects.create(organization=org, title=t) for t in ("销售代表", "后端工程师", "管培生", "数据分析师", "产品经理")]
    PositionAssignment.objects.create(organization=org, position=positions[1], user=interviewer, role="interviewer")
    rng = random.Random(7)
    names, phones = [], []
    started = time.perf_counter()
    for start in range(0, count, 5000):
        batch, texts = [], []
        for i in range(start, min(count, start + 5000)):
            if rng.random() < 0.2:
                name = f"{rng.choice(LATIN_GIVEN)} {rng.choice(LATIN_SURNAMES)}" if rng.random() < 0.5 else \
                    f"{rng.choice(LATIN_SURNAMES)} {rng.choice(LATIN_GIVEN)}"
            else:
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            phone = f"13{i:09d}"
            skills = rng.sample(SKILLS, 4)
            resume = (f"{name}\n{phone}\n{rng.choice(SCHOOLS)} 本科 {rng.randint(2005, 2020)}-{rng.randint(2009, 2024)}\n"
                      f"{rng.choice(EMPLOYERS)} 工程师 {rng.randint(2010, 2020)} - 至今\n技能：{', '.join(skills)}\n"
                      f"{rng.choice(DUTIES)}；{rng.choice(DUTIES)}。")
            names.append(name)
            phones.append(phone)
            batch.append(Candidate(organization=org, full_name=name, phone=phone, email=f"c{i}@bench.example", skills=skills,
                                   resume_text=resume, resume_status="parsed", source=rng.choice(["website", "referral", "campus"])))
            texts.append((name, skills, resume))
        Candidate.objects.bulk_create(batch, batch_size=1000)
        tokens, apps = [], []
        for candidate, (name, skills, resume) in zip(batch, texts, strict=True):
            tokens += [(org.pk, candidate.pk, t)
                       for t in document_tokens(short_texts=[name, *skills], long_texts=[resume], name="")
                       | cached_name_tokens(name)]
            apps.append(Application(organization=org, candidate=candidate, position=rng.choice(positions),
                                    stage=rng.choice(["简历筛选", "AI视频面试", "直播面试"]), status=rng.choice(["active", "active", "rejected"])))
        # The bulk path without a model instance per row: millions of (organization, candidate, token) triples.
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {SearchToken._meta.db_table} (organization_id, candidate_id, token) "
                               "VALUES (%s, %s, %s)", tokens)
        Application.objects.bulk_create(apps, batch_size=2000)
    print(f"seeded {count} candidates in {time.perf_counter() - started:.1f} s "
          f"({SearchToken.objects.count()} search tokens)")

    maintain()
    return org, admin, interviewer, positions, names, phones


def maintain() -> None:
    """What autovacuum / a nightly job does after a bulk load: statistics (and, on PostgreSQL, the
    visibility map, so index-only scans do not visit the table)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def reload_seed():
    from hirelens.accounts.models import User
    from hirelens.candidates.models import Candidate
    from hirelens.positions.models import Position

    admin, interviewer = User.objects.get(email="admin@bench.example"), User.objects.get(email="iv@bench.example")
    positions = list(Position.objects.filter(organization_id=admin.organization_id).order_by("pk"))
    pairs = list(Candidate.objects.filter(organization_id=admin.organization_id).only("full_name", "phone")[:20000])
    return admin.organization, admin, interviewer, positions, [c.full_name for c in pairs], [c.phone for c in pairs]


def bench_search(admin, interviewer, positions, names, phones, repeats: int, *, only_names: bool = False):
    from hirelens.candidates.models import Candidate
    from hirelens.candidates.selectors import candidate_next_cursor, candidate_page

    rng = random.Random(11)
    total = Candidate.objects.filter(organization_id=admin.organization_id).count()
    deep_at = int(total * 0.9)
    deep = Candidate.objects.filter(organization_id=admin.organization_id).order_by("-id")[deep_at]
    deep_cursor = candidate_next_cursor(sort="new", candidate=deep, start=deep_at + 2)
    kinds = {
        "char 伟": lambda: dict(q="伟"),
        "full name": lambda: dict(q=rng.choice(names)),
        "Latin prefix Zha": lambda: dict(q="Zha"),
        "pinyin zhang wei": lambda: dict(q="zhang wei"),
        "initials zw": lambda: dict(q="zw"),
        "phone (exact)": lambda: dict(q=rng.choice(phones)),
        "list page 1": lambda: dict(),
        "list deep keyset": lambda: dict(cursor=deep_cursor),
    }
    if not only_names:
        kinds.update({
            "surname (1 char)": lambda: dict(q=rng.choice(SURNAMES[:10])),
            "skill": lambda: dict(q=rng.choice(SKILLS)),
            "resume word": lambda: dict(q=rng.choice(["字节跳动", "Acme", "复旦大学", "客户满意度", "dashboards", "供应链"])),
            "two words": lambda: dict(q=f"{rng.choice(SKILLS)} {rng.choice(['北京大学', '阿里巴巴'])}"),
            "filters": lambda: dict(position_id=rng.choice(positions).pk, status="active", source="campus"),
            "skill + position": lambda: dict(q=rng.choice(SKILLS), position_id=rng.choice(positions).pk),
        })
    everything = []
    print(f"  {'kind':18s} {'p50':>10s}   {'p95':>10s}   {'max':>10s}   matches (HR)")
    for label, make in kinds.items():
        timings, matches = [], []
        for actor in (admin, interviewer):
            for _ in range(repeats):
                kwargs = make()
                started = time.perf_counter()
                page = candidate_page(actor=actor, **kwargs)
                rows = [c.full_name for c in page]  # decrypted, as the page shows them
                timings.append((time.perf_counter() - started) * 1000)
                if actor is admin:
                    matches.append(f"{page.count}{'+' if page.count_capped else ''}")
                del rows
        everything += timings
        print(f"  {label:18s} {statistics.median(timings):7.1f} ms   {percentile(timings, 0.95):7.1f} ms   "
              f"{max(timings):7.1f} ms   {matches[0]}")
    print(f"  {'ALL':18s} {statistics.median(everything):7.1f} ms   {percentile(everything, 0.95):7.1f} ms")


def bench_import(admin, phones, rows: int):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hirelens.imports import services

    rng = random.Random(5)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "手机号", "邮箱", "身份证号", "应聘职位", "环节", "投递日期", "来源", "标签", "技能"])
    for i in range(rows):
        phone = f"15{i:09d}"
        roll = rng.random()
        if roll < 0.02:
            phone = "12345"
        elif roll < 0.03 and i:
            phone = f"15{i - 1:09d}"
        elif roll < 0.04:
            phone = rng.choice(phones)
        writer.writerow([rng.choice(SURNAMES) + rng.choice(GIVEN), phone, f"imp{i}@bench.example", "", "销售代表", "简历筛选",
                         "2026-03-01", "官网", "校招", "Python, 销售"])
    data = out.getvalue().encode("gbk")
    started = time.perf_counter()
    batch = services.import_batch_upload(actor=admin, upload=SimpleUploadedFile("bench.csv", data))
    batch = services.import_batch_validate(actor=admin, batch=batch, mapping=batch.mapping)
    validated = time.perf_counter()
    batch = services.import_batch_commit(actor=admin, batch=batch)
    done = time.perf_counter()
    print(f"import of {rows} rows (GBK CSV): upload + validate + report {validated - started:.1f} s, commit {done - validated:.1f} s, "
          f"total {done - started:.1f} s; created {batch.created_count}, errors {batch.error_count}, duplicates {batch.duplicate_count}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", "--count", type=int, default=100_000, dest="candidates")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=25, help="queries per kind and role")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--reuse", default="", help="the data directory of an earlier run: search again without seeding")
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--only-names", action="store_true", help="only the name searches and list pages of issue 16")
    args = parser.parse_args()
    setup_django(args.database_url or os.environ.get("HIRELENS_DATABASE_URL") or None, args.reuse)
    from django.db import connection

    print(f"database: {connection.vendor}")
    if args.reuse:
        org, admin, interviewer, positions, names, phones = reload_seed()
        maintain()
        args.candidates = org and __import__("hirelens.candidates.models", fromlist=["Candidate"]).Candidate.objects.count()
    else:
        org, admin, interviewer, positions, names, phones = seed(args.candidates)
    print(f"candidate search over {args.candidates} candidates (count up to 10,000 + one page of 20, as the list page; "
          f"HR and interviewer):")
    bench_search(admin, interviewer, positions, names, phones, args.repeats, only_names=args.only_names)
    if not args.no_import:
        bench_import(admin, phones, args.import_rows)


if __name__ == "__main__":
    main()
