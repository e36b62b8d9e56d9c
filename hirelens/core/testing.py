"""Helpers the test suites of every app share."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.http import Http404


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Real Argon2id with a small cost, so the suite stays fast while still exercising argon2."""

    algorithm = "argon2"
    time_cost = 1
    memory_cost = 1024
    parallelism = 1


def assert_tenant_isolated(
    *,
    outsider,
    objects: Iterable,
    access: Callable[..., object] | None = None,
    access_kwarg: str = "",
    selectors: Iterable[Callable[..., Iterable]] = (),
    client=None,
    urls: Iterable[str] = (),
) -> None:
    """Assert that ``outsider`` (a user of another organization) sees nothing of ``objects``.

    * every ``access`` call with one of the objects' ids raises Http404 (the same as a missing row);
    * every selector called with ``actor=outsider`` returns none of the objects;
    * every URL, fetched by ``client`` logged in as the outsider, answers 404.
    """
    objects = list(objects)
    assert objects, "give at least one object of the first organization"
    ids = {obj.pk for obj in objects}
    if access is not None:
        for obj in objects:
            try:
                access(actor=outsider, **{access_kwarg: obj.pk})
            except Http404:
                continue
            raise AssertionError(f"{access.__name__} let a user of another organization fetch {obj!r}")
    for selector in selectors:
        leaked = {getattr(row, "pk", row) for row in selector(actor=outsider)} & ids
        assert not leaked, f"{selector.__name__} leaked ids {sorted(leaked)} to another organization"
    if client is not None:
        client.force_login(outsider)
        for url in urls:
            status = client.get(url).status_code
            assert status == 404, f"GET {url} as another organization answered {status}, expected 404"


def live_file_bytes(path) -> bytes:
    """The bytes of a file that an open SQLite database in this process may be (the test database, Huey's queue, or
    their WAL), read by a child process. Opening and closing such a file in this process releases every POSIX lock
    the process holds on it (fcntl locks are per process and file, not per descriptor): another connection, finding
    itself alone, then checkpoints and deletes the WAL and its shared memory under this process's connections, whose
    next query fails with "disk I/O error"."""
    import subprocess

    return subprocess.run(["cat", str(path)], check=True, capture_output=True).stdout


def assert_no_plaintext_token(obj, token: str) -> None:
    """The database row of ``obj``, read raw (encrypted columns stay ciphertext), holds nothing that opens its link."""
    from django.db import connection

    meta = obj._meta
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{meta.db_table}" WHERE "{meta.pk.column}" = %s', [obj.pk])
        row = cursor.fetchone()
    assert row is not None, f"no row for {obj!r}"
    assert token and token not in " ".join(str(value) for value in row), f"{meta.db_table} holds the link's token in clear"


def assert_link_answers(client, path: str, *, status: int, words: Iterable[str] = (), language: str = "zh-hans") -> str:
    """GET a link's ``path`` in a browser asking for ``language``: the status and the words of the answer (a dead link
    says what happened in that language: core/tokens.py, messaging/services/deadlinks.py)."""
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    page = "" if response.streaming else response.content.decode()  # a file it opens is not read here
    assert response.status_code == status, f"GET {path} ({language}) answered {response.status_code}, expected {status}"
    for word in words:
        assert word in page, f"GET {path} ({language}): {word!r} not on the page"
    return page


def shows_id_reference(page: str, pk: int) -> bool:
    """True when ``page`` names a row as ``#<pk>`` (what "people by name" forbids).

    A bare substring test is wrong: ``#4`` is inside the CSS colour ``#475569`` and
    the HTML entity ``&#39;``. A reference is ``#`` not preceded by ``&`` and not
    followed by another hex digit or letter.
    """
    import re

    return re.search(rf"(?<![&\w])#{pk}(?![0-9A-Za-z])", page) is not None
