"""Add the name search tokens (Latin prefixes, pinyin, initials; see candidates/search.py) to existing candidates.

``manage.py reindex_search`` checks a sample of candidates first and does nothing when their name tokens are
already stored (it runs in ``make run``'s set-up path, so it must be cheap when nothing is needed); ``--force``
indexes every candidate anyway. Only missing (candidate, token) rows are added, so a run can be repeated or
interrupted safely; content tokens are left as they are (``candidate_reindex`` rebuilds one record in full).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from hirelens.candidates.models import Candidate, SearchToken
from hirelens.candidates.search import name_tokens

BATCH = 1000


def _missing(batch: list[tuple[int, int, str]]) -> list[SearchToken]:
    wanted = {(pk, token): org for pk, org, name in batch for token in name_tokens(name)}
    ids = [pk for pk, _org, _name in batch]
    have = set(SearchToken.objects.filter(candidate_id__in=ids, token__in={t for _pk, t in wanted})
               .values_list("candidate_id", "token"))
    return [SearchToken(organization_id=org, candidate_id=pk, token=token)
            for (pk, token), org in wanted.items() if (pk, token) not in have]


class Command(BaseCommand):
    help = "Add missing name search tokens (prefix, pinyin, initials) to existing candidates, only if needed."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="index every candidate even if a sample looks done")

    def handle(self, *args, force=False, verbosity=1, **options):
        candidates = Candidate.objects.only("id", "organization_id", "full_name").order_by("pk")
        if not force:
            sample = [(c.pk, c.organization_id, c.full_name) for c in candidates.reverse()[:20]]
            sample += [(c.pk, c.organization_id, c.full_name) for c in candidates[:20]]
            if not _missing(sample):
                if verbosity:
                    self.stdout.write("search index: name tokens up to date")
                return
        added, last = 0, 0
        while True:
            batch = [(c.pk, c.organization_id, c.full_name) for c in candidates.filter(pk__gt=last)[:BATCH]]
            if not batch:
                break
            rows = _missing(batch)
            with transaction.atomic():
                SearchToken.objects.bulk_create(rows, batch_size=2000)
            added += len(rows)
            last = batch[-1][0]
        if verbosity:
            self.stdout.write(f"search index: {added} name tokens added")
