"""Words, not codes (issue 16 §5): a crawl over every page each demo role can reach, in zh-Hans and in English.

With the demo loaded, each role logs in and walks the navigation and every link on the pages it reaches (GET only,
same host, one page per URL shape). On each page the visible text (tags, scripts and styles removed; of the
attributes only title, placeholder, aria-label and alt) must show:

- no snake_case token and no raw choice code (``started``, ``none``, ``master``, ``campus``, ``email`` as a channel…),
  no audit object shown as ``app.model #4``;
- no duration as a raw count of minutes of a day or more (``1440 分钟`` is ``1 天``);
- in English: no Chinese outside the demo's own data (people's names, positions, organizations, questions, …) and
  no full-width punctuation.

What is not fixed yet is named in ``KNOWN`` with the reason; everything else fails.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

ROLES = ["admin", "recruiter", "interviewer", "manager"]
LANGUAGES = ["zh-hans", "en"]
MAX_PAGES = 150  # per role and language
PER_SHAPE = 4  # pages of one URL shape (/candidates/N/): several candidates, each with other data
# Downloads and files are not pages; logout and language switches are forms; the API has its own contract tests.
SKIP = re.compile(r"/(export|pdf|media|resume|file|download|i18n|api|static|jsi18n|logout|admin)\b"
                  r"|\.(pdf|ics|xlsx|csv|zip|json)\b|calendar")
ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

# A placeholder in braces ({survey_link}) is what a template editor types, not a code shown to a reader.
SNAKE = re.compile(r"(?<![\w@./:{-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/}-])")
AUDIT_OBJECT = re.compile(r"\b[a-z]+\.[a-z]+ #?\d+")
CODES = {"started", "none", "done", "video", "audio", "text", "file", "speech", "pause", "smile", "frown", "gesture", "master", "bachelor", "doctor", "campus", "referral", "email", "wechat", "sms",
         "pending", "scheduled", "completed", "cancelled", "active", "draft", "open", "closed", "submitted",
         "analysed", "failed", "queued", "sent", "hire", "reject", "advance", "hold", "true", "false"}
MINUTES = re.compile(r"(\d[\d,]*)\s*(?:分钟|minutes?\b|mins?\b)")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
FULL_WIDTH = re.compile(r"[，。：；（）！？、【】]")  # curly quotes “” are English typography too

# Pages whose content is, by design, in another language than the reader's: the editor of the Chinese message
# templates (and their list, which shows each template's subject in its own language).
OTHER_LANGUAGE = {"en": re.compile(r"^/messaging/templates/([a-z_.]+/zh-hans/)?$"),
                  "zh-hans": re.compile(r"^/messaging/templates/([a-z_.]+/en/)?$")}  # kinds may hold a dot (ai_interview.invite)
# Language names are shown in their own language in the switcher (中文, 简体中文).
ENDONYMS = {"中文", "简体中文"}

# Fields the system fills (not people): their words are not the demo's data. The import report is stored as codes +
# parameters and written in the reader's language; a survey rule's suggestion is a code when seeded
# (``suggestion_code``) and otherwise the words HR typed, i.e. data.
SYSTEM_TEXT = {("imports.importbatch", "report")}
# ... of which still stored as finished text (remaining work of issue 16 §5; allowed until converted): none left.
STORED_TEXT: dict[tuple[str, str], str] = {}

# (kind, token) -> why it is still shown: the remaining work of issue 16 §5, each one named. Remove an entry when
# its fix lands; a new finding fails.
_SETTINGS = "WeChat/channel settings are raw JSON boxes naming channel codes; §4 replaces them with a real form"
_DESIGNER = "process designer and preview: a sentence ending in '。' next to a figure or Latin text (workflows templates)"
KNOWN: dict[tuple[str, str], str] = {
    ("code", "email"): _SETTINGS, ("code", "wechat"): _SETTINGS,
    ("snake_case", "template_id"): _SETTINGS, ("snake_case", "wechat_template"): _SETTINGS,
    ("full-width", "。"): _DESIGNER,
}


class _Text(HTMLParser):
    """Visible text of a page: one string per text node and per shown attribute; links for the crawl."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._skipping: list[str] = []  # the tags being skipped, innermost last
        self._form: str | None = None  # the action of the GET form we are in
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        # script and style; and text marked as English (lang="en": a notice's English version shown beside the Chinese
        # one for HR to edit) is content in that language, not the page's words
        if tag in ("script", "style") or (tag not in ("html", "input", "img", "br", "meta", "link")
                                          and (named.get("lang") or "").lower().startswith("en")):
            self._skip += 1
            self._skipping.append(tag)
        if tag == "form":
            self._form = named.get("action") or "" if (named.get("method") or "get").lower() == "get" else None
        elif tag == "select" and self._form is not None:
            self._select = named.get("name")
        elif tag == "option" and self._form is not None and self._select and named.get("value"):
            self.links.append(f"{self._form}?{self._select}={named['value']}")  # a filter: each of its choices
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.nodes.append(value)
            if (tag == "a" and name == "href" or name == "hx-get") and value:
                self.links.append(value)

    def handle_endtag(self, tag):
        if self._skipping and tag == self._skipping[-1]:
            self._skipping.pop()
            self._skip -= 1
        elif tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.nodes.append(" ".join(data.split()))


def _demo_words() -> set[str]:
    """Chinese runs that are the demo's own data (entered by people), shown as they were entered in any language."""
    from django.apps import apps
    from django.db import models

    from hirelens.core.models import AuditEvent

    # Text the system wrote, not a person: it must be rendered in the reader's language, so it is not data.
    system = {AuditEvent}
    words: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("hirelens.") or model in system:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if not fields:
            continue
        fields = [f for f in fields if (model._meta.label_lower, f.name) not in SYSTEM_TEXT or
                  (model._meta.label_lower, f.name) in STORED_TEXT]
        for row in model._base_manager.all():
            for field in fields:
                value = getattr(row, field.attname, None)
                words.update(HAN.findall(str(value)) if value else ())
    return words


def _problems(nodes: list[str], language: str, demo_words: set[str], own_language: bool = True) -> list[tuple[str, str]]:
    """``own_language`` False: the page edits text in the other language (only codes and minutes are checked)."""
    text = "\n".join(nodes)
    found = [("snake_case", m) for m in SNAKE.findall(text)]
    found += [("audit object", m.split()[0]) for m in AUDIT_OBJECT.findall(text)]
    for node in nodes:
        stripped = node.strip(" :：()（）·-").strip()
        if stripped in CODES:
            found.append(("code", stripped))
        if language != "en" and own_language:  # in English these are words too; in Chinese an ASCII word is a code
            found += [("code", w) for w in re.findall(r"(?<![\w@.-])[a-z]+(?![\w@.-])", node) if w in CODES]
    for amount in MINUTES.findall(text):
        if int(amount.replace(",", "")) >= 1440:
            found.append(("minutes", amount))
    if language == "en" and own_language:
        for run in HAN.findall(text):
            if run not in ENDONYMS and not any(run in word for word in demo_words):
                found.append(("chinese", run))
        found += [("full-width", m.group()) for m in FULL_WIDTH.finditer(text) if not _in_chinese(text, m.start())]
    return found


def _in_chinese(text: str, at: int) -> bool:
    """Full-width punctuation next to Chinese (past other punctuation) belongs to Chinese data a person entered."""
    for step in (-1, 1):
        i = at + step
        while 0 <= i < len(text) and FULL_WIDTH.match(text[i]):
            i += step
        if 0 <= i < len(text) and HAN.match(text[i]):
            return True
    return False


def _shape(path: str) -> str:
    parts = urlsplit(path)
    query = re.sub(r"\d+", "N", parts.query) if re.search(r"\b(tab|status)=", parts.query) else ""
    return re.sub(r"\d+|[0-9a-f-]{20,}", "N", parts.path) + ("?" + query if query else "")


def _crawl(client: Client, seeds: list[str]) -> dict[str, list[str]]:
    """URL -> visible text nodes of every page reachable from the dashboard (and from the seeds)."""
    pages: dict[str, list[str]] = {}
    shapes: dict[str, int] = {}
    queue, visited = ["/", *seeds], set()
    while queue and len(pages) < MAX_PAGES:
        # a page of a shape not seen yet first: new pages must not push whole page kinds out of the budget
        href = queue.pop(next((i for i, h in enumerate(queue) if _shape(h) not in shapes and h not in visited), 0))
        if href in visited or shapes.get(_shape(href), 0) >= PER_SHAPE:
            continue
        visited.add(href)
        shapes[_shape(href)] = shapes.get(_shape(href), 0) + 1
        response = client.get(href)
        assert response.status_code < 500, href
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        pages[href] = parser.nodes
        for link in parser.links:
            parts = urlsplit(urljoin(href, link))
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver") or SKIP.search(parts.path):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages


def _analysed() -> list[str]:
    """Evaluation pages with AI evidence (the crawl's first pages of a shape may have none): the demo's video
    answer analysed as the worker does after `make run` starts."""
    from hirelens.interviews.analysis_bridge import answer_analyse
    from hirelens.interviews.models import Answer

    video = Answer.objects.get(kind=Answer.Kind.VIDEO, session__biometric_allowed=True, session__state="submitted")
    answer_analyse(answer_id=video.pk)
    ids = Answer.objects.filter(analysis_status=Answer.Analysis.DONE).values_list("session__application_id", flat=True)
    assert ids, "the demo has analysed answers"
    return [f"/evaluations/applications/{pk}/" for pk in sorted(set(ids))]


@pytest.mark.timeout(900)  # a hang guard, not a speed goal: the crawl of every page in both languages and an analysis
def test_pages_show_words_not_codes():
    from hirelens.accounts.models import User

    call_command("load_demo", verbosity=0)
    seeds = _analysed()
    demo_words = _demo_words()  # after the analysis: a transcript is the candidate's own words, shown as said
    findings: dict[tuple[str, str], set[str]] = {}
    walked, shapes = 0, set()
    for role in ROLES:
        user = User.objects.get(email=f"{role}@demo.hirelens.local")
        for language in LANGUAGES:
            client = Client()
            client.force_login(user)
            client.cookies["django_language"] = language
            pages = _crawl(client, seeds)
            walked += len(pages)
            shapes |= {_shape(url) for url in pages}
            assert len(pages) >= 5, (role, language, list(pages))
            for url, nodes in pages.items():
                own = not OTHER_LANGUAGE[language].match(url)
                for kind, token in _problems(nodes, language, demo_words, own):
                    findings.setdefault((kind, token), set()).add(f"{language} {_shape(url)}")
    assert walked >= 100, walked
    for expected in ["/audit/", "/candidates/N/?tab=evaluations", "/evaluations/applications/N/", "/imports/N/",
                     "/interviews/N/", "/messaging/messages/N/", "/messaging/reminders/?status=sent",
                     "/processes/N/preview/", "/feedback/"]:
        assert expected in shapes, sorted(shapes)
    unexpected = {k: sorted(v) for k, v in findings.items() if k not in KNOWN}
    report = "\n".join(f"{kind} {token!r}: {', '.join(where[:6])}" for (kind, token), where in sorted(unexpected.items()))
    assert not unexpected, f"{len(unexpected)} raw codes or untranslated words:\n{report}"


@pytest.mark.parametrize(("language", "words"), [("zh-hans", ["1 天", "1 小时", "面试 #77"]),
                                                 ("en", ["1 day", "1 hour", "Interview #77"])])
def test_reminders_show_days_and_the_subject_in_words(hr_admin, language, words):
    """A reminder a day before an interview reads '1 天' / '1 day' and names an interview, not '1440 分钟' and
    'scheduling.interview #77'."""
    from datetime import timedelta

    from django.utils import timezone

    from hirelens.candidates.tests.factories import CandidateFactory
    from hirelens.messaging.services.reminders import reminders_plan

    candidate = CandidateFactory(organization=hr_admin.organization)
    reminders_plan(organization_id=hr_admin.organization_id, subject_type="scheduling.interview", subject_id=77,
                   starts_at=timezone.now() + timedelta(days=3), offsets=[1440, 60], candidate_id=candidate.pk)
    client = Client()
    client.force_login(hr_admin)
    client.cookies["django_language"] = language
    parser = _Text()
    parser.feed(client.get("/messaging/reminders/").content.decode())
    cells = [n for n in parser.nodes if n in words]
    assert sorted(cells) == sorted(words + [words[2]]), parser.nodes  # the interview on both rows
    assert not [n for n in parser.nodes if "1440" in n or "scheduling." in n]


def test_the_pdf_report_labels_the_ai_evidence():
    """The PDF report names the AI figures and events in the reader's language (not speech_rate_syll_per_s)."""
    import io

    from pypdf import PdfReader

    from hirelens.accounts.models import User

    call_command("load_demo", verbosity=0)
    urls = _analysed()
    admin = User.objects.get(email="admin@demo.hirelens.local")
    for language, labels in [("zh-hans", ["语速（音节/秒）", "说话时间", "视线偏离"]),
                             ("en", ["Speech rate (syllables/s)", "Speaking time", "Looking away", "Smile"])]:
        client = Client()
        client.force_login(admin)
        client.cookies["django_language"] = language
        texts = []
        for url in urls:
            response = client.get(url + "report.pdf")
            assert response.status_code == 200
            texts.append(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages))
        text = "\n".join(texts)
        assert all(label in text for label in labels), (language, text[-3000:])
        assert SNAKE.findall(text) == [], language
        assert [w for w in ("look_away", "smile", "pause", "speech") if re.search(rf"\b{w}\b", text)] == [], language
