"""Seeding helpers shared by the benches (bench/api.py, bench/dataset.py): realistic Chinese names, candidates bulk-created
with the derived rows a save() would write (blind indexes through the fields' pre_save, keyed search tokens as
``candidate_reindex`` stores them), raw multi-row inserts (COPY on PostgreSQL), and timestamps set by the seed.

Plain functions; Django must be set up before they are called.
"""

from __future__ import annotations

import contextlib
import json
import random
from functools import cache

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈欧阳司马"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯晨悦欣怡子轩梓涵一诺思雨俊杰嘉怡"
SKILLS = ["Python", "Java", "Go", "JavaScript", "React", "Vue", "SQL", "PostgreSQL", "Redis", "Docker", "Linux", "Excel",
          "销售", "客户关系管理", "商务谈判", "数据分析", "机器学习", "项目管理", "团队协作", "英语", "市场营销", "财务分析"]


def chinese_name(rng: random.Random) -> str:
    """A surname (one character, or one of the double surnames at the end of SURNAMES) and one or two given characters."""
    surname = rng.choice(SURNAMES[:-4]) if rng.random() < 0.98 else rng.choice(["欧阳", "司马"])
    return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def name_pool(rng: random.Random, size: int = 15_000) -> list[str]:
    """Distinct names to draw candidates from: at 100,000 people names repeat (many 张伟), and a name's search
    tokens are then hashed once."""
    pool: set[str] = set()
    while len(pool) < size:
        pool.add(chinese_name(rng))
    return sorted(pool)


def insert_rows(table: str, columns: list[str], rows) -> int:
    """Insert plain tuples without a model instance per row: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    rows = list(rows)
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)
    return len(rows)


@contextlib.contextmanager
def seeded_timestamps(*models):
    """Let bulk_create keep the created_at/updated_at the seed gives (auto_now/auto_now_add would overwrite them)."""
    saved = []
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


@cache
def _short_tokens(text: str) -> frozenset[int]:
    from hirelens.candidates.search import document_tokens

    return frozenset(document_tokens(short_texts=[text], long_texts=[], name=""))


@cache
def _name_tokens(name: str) -> frozenset[int]:
    from hirelens.candidates.search import name_tokens

    return frozenset(name_tokens(name))


def candidate_tokens(candidate) -> set[int]:
    """The search tokens ``candidate_reindex`` stores for a candidate with a name and skills (no resume, tags or
    history): what ``document_tokens(short_texts=[name, *skills], long_texts=[])`` gives, names and skills hashed once."""
    tokens = set(_name_tokens(candidate.full_name))
    for text in [candidate.full_name, *candidate.skills]:
        tokens |= _short_tokens(text)
    return tokens


def candidates_bulk(rows: list, *, batch_size: int = 1000) -> list:
    """bulk_create Candidate rows (encrypted fields and blind indexes are computed by the fields on insert) and their
    keyed search tokens. Call inside a transaction so that a batch is whole or absent."""
    from hirelens.candidates.models import Candidate, SearchToken

    made = Candidate.objects.bulk_create(rows, batch_size=batch_size)
    insert_rows(SearchToken._meta.db_table, ["organization_id", "candidate_id", "token"],
                ((c.organization_id, c.pk, token) for c in made for token in candidate_tokens(c)))
    return made


def json_value(value) -> str:
    """A JSON column's value for ``insert_rows``."""
    return json.dumps(value, ensure_ascii=False)


def analyze() -> None:
    """What autovacuum / a nightly job does after a bulk load: planner statistics (and the visibility map on PostgreSQL)."""
    from django.db import connection

    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block  # VACUUM refuses a transaction (tests)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
