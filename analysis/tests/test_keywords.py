"""Keyword counts, exact, on known transcripts (Chinese at the text level)."""

from __future__ import annotations

from analysis.keywords import count_keywords, parse_keywords
from analysis.transcript import Word


def test_chinese_keywords_are_whole_words_found_by_jieba():
    text = "我认为团队协作非常重要。在上一个项目中，团队协作让客户很满意；客户后来又签了合同。协作和团队都不算。"
    hits = count_keywords(text, ["团队协作", "客户", "合同", "学习能力"])
    assert hits.counts == {"团队协作": 2, "客户": 2, "合同": 1, "学习能力": 0}


def test_chinese_keyword_not_counted_inside_a_longer_word():
    # 客户端 (client software) is one word: it is not a mention of 客户 (customer)
    hits = count_keywords("我们开发了客户端，也拜访了客户。", ["客户"])
    assert hits.counts == {"客户": 1}


def test_chinese_keyword_times_come_from_the_words():
    words = [
        Word("我们", 0.0, 0.4, 1),
        Word("团队", 0.5, 0.9, 1),
        Word("协作", 0.9, 1.3, 1),
        Word("很好", 1.4, 1.8, 1),
        Word("团队协作", 3.0, 3.8, 1),
    ]
    hits = count_keywords("我们团队协作很好团队协作", ["团队协作"], words=words)
    assert hits.counts == {"团队协作": 2}
    assert hits.times == {"团队协作": [0.5, 3.0]}


def test_english_keywords_match_inflections_not_substrings():
    text = (
        "Customers liked it. The customer's team negotiated; we negotiate again. "
        "A category is not a cat. Team work and teamwork are one. Our TEAM leads."
    )
    hits = count_keywords(text, ["customer", "negotiate", "cat", "team work", "team"])
    assert hits.counts == {"customer": 2, "negotiate": 2, "cat": 1, "team work": 2, "team": 3}


def test_english_compounds_match_however_the_asr_spells_them():
    # tiny.en writes "teamwork" or "team work" for the same speech, depending on its context
    text = "I enjoy teamwork. Team work, team-work and TEAMWORKS. My team. Work is fun; team spirit."
    words = [Word(w, float(i), float(i) + 0.5, 1.0) for i, w in enumerate(text.split())]
    hits = count_keywords(text, ["teamwork", "team work", "team spirit"], words=words)
    assert hits.counts == {"teamwork": 4, "team work": 4, "team spirit": 1}
    assert hits.times["teamwork"] == [2.0, 3.0, 5.0, 7.0]  # "team. Work" is two sentences: not a mention


def test_mixed_language_keywords_and_parsing():
    assert parse_keywords("团队协作, 客户，customer;;customer") == ["团队协作", "客户", "customer"]
    hits = count_keywords("我们的customer很重视团队协作。", ["团队协作", "customer"])
    assert hits.counts == {"团队协作": 1, "customer": 1}


def test_synonyms_count_under_their_keyword_once_where_they_overlap():
    text = "I value teamwork. Team work and collaboration matter; we collaborated with the customer."
    hits = count_keywords(text, ["teamwork", "customer"], synonyms={"teamwork": ["team work", "collaboration"]})
    # teamwork (1) + team work (1, also the glued form of "teamwork": one mention) + collaboration, collaborated (2)
    assert hits.counts == {"teamwork": 4, "customer": 1}
    zh = count_keywords("我很重视团队合作，也善于与人协作。", ["团队协作"], synonyms={"团队协作": ["团队合作", "协作"]})
    assert zh.counts == {"团队协作": 2}


def test_a_keyword_in_a_language_the_answer_does_not_speak_is_not_applicable():
    en = "I led the team and talked to every customer. We used Python and SQL."
    hits = count_keywords(en, ["团队协作", "customer", "Python", "API", "沟通"], language="en")
    assert hits.counts == {"customer": 1, "Python": 1, "API": 0}  # a technical term applies in both languages
    assert hits.not_applicable == ["团队协作", "沟通"]
    assert "团队协作" not in hits.times

    zh = "我负责团队协作，用Python写接口。"
    hits = count_keywords(zh, ["团队协作", "teamwork", "python", "Kubernetes", "negotiation"], language="zh")
    assert hits.counts == {"团队协作": 1, "python": 1, "Kubernetes": 0}
    assert hits.not_applicable == ["teamwork", "negotiation"]


def test_a_synonym_in_the_answers_language_makes_a_keyword_applicable():
    hits = count_keywords("我负责团队协作。", ["teamwork"], synonyms={"teamwork": ["团队协作"]}, language="zh")
    assert hits.counts == {"teamwork": 1} and hits.not_applicable == []
    hits = count_keywords("我没有提到。", ["teamwork"], synonyms={"teamwork": ["团队协作"]}, language="zh")
    assert hits.counts == {"teamwork": 0} and hits.not_applicable == []


def test_an_english_word_said_inside_a_chinese_answer_is_counted():
    hits = count_keywords("我们很看重teamwork。", ["teamwork"], language="zh")
    assert hits.counts == {"teamwork": 1} and hits.not_applicable == []


def test_keyword_languages():
    from analysis.keywords import keyword_language

    assert [keyword_language(k) for k in ("团队协作", "Python开发", "teamwork", "team work", "customer")] == [
        "zh", "zh", "en", "en", "en"]
    assert [keyword_language(k) for k in ("Python", "java", "API", "SQL", "C++", "Vue.js", "Kubernetes", "JavaScript")] == [
        "any"] * 8


def test_without_a_known_language_every_keyword_is_counted():
    hits = count_keywords("", ["团队协作", "teamwork"])
    assert hits.counts == {"团队协作": 0, "teamwork": 0} and hits.not_applicable == []


def _real_clip(rel: str):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("f5_tts")
    assert spec is not None, "real speech clips: pip install --no-deps -r requirements/sample-media.txt"
    return Path(list(spec.submodule_search_locations)[0]) / "infer/examples" / rel


def test_keywords_in_the_report_of_a_real_mandarin_answer():
    from analysis import AnalysisOptions, analyse

    # "对，这就是我，万人敬仰的太乙真人。", the language detected ("auto", as for a Chinese interview)
    opts = AnalysisOptions(language="auto", keywords=["真人", "teamwork", "Python", "nature"],
                           keyword_synonyms={"teamwork": ["团队协作"]})
    report = analyse(_real_clip("basic/basic_ref_zh.wav"), opts)
    s = report.summary
    assert s.language == "zh"
    assert s.keywords == {"真人": 1, "teamwork": 0, "Python": 0}  # teamwork has a Chinese synonym: applicable
    assert s.keywords_not_applicable == ["nature"]
    assert report.keywords["nature"] == {"count": None, "times_s": [], "applicable": False, "synonyms": []}
    assert report.keywords["teamwork"]["synonyms"] == ["团队协作"]
    (mention,) = report.events_of("keyword")
    assert mention.detail == {"keyword": "真人"} and 3.0 < mention.start_s < s.duration_s


def test_keywords_in_the_report_of_a_real_english_answer():
    from analysis import AnalysisOptions, analyse

    # "Six spoons of fresh snow peas, five thick slabs of blue cheese, and maybe a snack for her brother Bob."
    opts = AnalysisOptions(language="en", keywords=["cheese", "奶酪", "SQL", "sibling"],
                           keyword_synonyms={"sibling": ["brother", "sister"]})
    s = analyse(_real_clip("multi/main.flac"), opts).summary
    assert s.keywords == {"cheese": 1, "SQL": 0, "sibling": 1}
    assert s.keywords_not_applicable == ["奶酪"]


def test_keywords_are_stemmed_right_when_analyses_run_in_threads():
    """Huey's thread workers analyse answers side by side: each thread stems with its own stemmer (a shared
    snowballstemmer object raised IndexError and could stem a word wrongly)."""
    from concurrent.futures import ThreadPoolExecutor

    from analysis.keywords import _stem

    words = ["customers", "teamwork", "communication", "responsibilities", "negotiating", "organisational",
             "leadership", "collaborated", "presentations", "analysing"] * 300
    expected = [_stem(w) for w in words]

    def run(_):
        return [_stem(w) for w in words]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(16)))
    assert all(r == expected for r in results)
