"""Speech accuracy on espeak-ng speech with known rates, pauses and speaking time, and the transcript-based
rates on real recorded Mandarin and English (f5-tts's reference clips, installed by requirements/sample-media.txt)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import AnalysisOptions, analyse, synth
from analysis.speech import SpeechParams, transcript_rates


def _speech_only(path, **kw):
    return analyse(path, AnalysisOptions(transcript=False, face=False, **kw))


@pytest.mark.parametrize(
    ("wpm", "pauses"),
    [(110, [0.5, 1.0, 2.0, 0.8]), (170, [0.4, 1.5, 0.7, 3.0]), (240, [0.6, 0.6, 1.2, 0.5])],
)
def test_rate_pauses_and_speaking_time_match_the_truth(media_dir, wpm, pauses):
    audio, truth = synth.speech_answer(wpm=wpm, sentences=synth.SENTENCES[:5], pauses_s=pauses)
    path = synth.write_media(media_dir / f"rate{wpm}.wav", audio=audio)

    report = _speech_only(path)
    s = report.summary

    assert s.pause_count == len(pauses) == 4
    assert s.speech_rate_source == "acoustic"  # no transcript: syllable nuclei
    assert s.duration_s == pytest.approx(truth.duration_s, abs=0.05)
    assert s.speaking_time_s == pytest.approx(truth.speaking_time_s, rel=0.05)
    true_rate = truth.syllables / truth.duration_s
    assert s.speech_rate_syll_per_s == pytest.approx(true_rate, rel=0.15)
    assert s.articulation_rate_syll_per_s == pytest.approx(truth.syllables / truth.speaking_time_s, rel=0.15)
    measured = [e.end_s - e.start_s for e in report.events_of("pause")]
    assert measured == pytest.approx(pauses, abs=0.2)
    assert report.speech["pause_longest_s"] == pytest.approx(max(pauses), abs=0.2)
    for ev, (start, end) in zip(report.events_of("speech"), truth.segments):
        assert ev.start_s == pytest.approx(start, abs=0.15)
        assert ev.end_s == pytest.approx(end, abs=0.15)


def test_faster_speech_measures_faster(media_dir):
    rates = []
    for wpm in (120, 220):
        audio, _ = synth.speech_answer(wpm=wpm, sentences=synth.SENTENCES[:2], pauses_s=[1.0])
        rates.append(
            _speech_only(synth.write_media(media_dir / f"fast{wpm}.wav", audio=audio)).summary.articulation_rate_syll_per_s
        )
    assert rates[1] > rates[0] * 1.4


def test_pitch_follows_the_voice_and_loudness_varies(media_dir):
    means = []
    for pitch in (20, 80):
        x = _espeak_pitch(pitch)
        report = _speech_only(synth.write_media(media_dir / f"pitch{pitch}.wav", audio=x))
        means.append(report.summary.pitch_mean_hz)
        assert 0.5 < report.summary.pitch_sd_semitones < 6
        assert report.speech["loudness_sd_db"] > 1
        assert report.speech["pitch_range_semitones"] > 1
    assert 60 < means[0] < means[1] < 300
    assert 12 * np.log2(means[1] / means[0]) > 3  # espeak's pitch 80 is well over 3 semitones above 20


def _espeak_pitch(p: int) -> np.ndarray:
    import subprocess
    import tempfile

    import av

    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        subprocess.run(["espeak-ng", "-p", str(p), "-w", f.name, synth.SENTENCES[0][0]], check=True)
        with av.open(f.name) as c:
            res = av.AudioResampler(format="flt", layout="mono", rate=synth.SR)
            parts = [g.to_ndarray().reshape(-1) for fr in c.decode(audio=0) for g in res.resample(fr)]
    x = np.concatenate(parts)
    return np.concatenate([np.zeros(synth.SR // 2, np.float32), x, np.zeros(synth.SR // 2, np.float32)])


def test_silence_gives_no_speech(silence_wav):
    report = analyse(silence_wav, AnalysisOptions(face=False))
    s = report.summary
    assert s.duration_s == pytest.approx(5.0, abs=0.05)
    assert s.speaking_time_s == 0
    assert s.pause_count == 0
    assert s.speech_rate_syll_per_s is None
    assert s.pitch_mean_hz is None
    assert report.events == []
    assert report.transcript["text"] == "" and report.transcript["words"] == []
    assert [w.code for w in report.warnings] == ["no_speech"]


def test_long_audio_is_analysed_in_blocks_with_the_same_result(media_dir):
    """Blocks of 12 s (instead of 300 s) split a 40 s answer three times: results stay within tolerance."""
    audio, truth = synth.speech_answer(wpm=150, sentences=synth.SENTENCES, pauses_s=[0.8, 1.0, 1.5, 0.8, 2.0])
    path = synth.write_media(media_dir / "blocks.wav", audio=audio)
    whole = _speech_only(path).summary
    blocks = _speech_only(path, chunk_s=12.0).summary
    assert blocks.duration_s == pytest.approx(whole.duration_s, abs=0.01)
    assert blocks.pause_count == whole.pause_count == 5
    assert blocks.speaking_time_s == pytest.approx(truth.speaking_time_s, rel=0.05)
    assert blocks.speech_rate_syll_per_s == pytest.approx(truth.syllables / truth.duration_s, rel=0.15)


def _real_clip(rel: str):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("f5_tts")
    assert spec is not None, "real speech clips: pip install --no-deps -r requirements/sample-media.txt"
    return Path(list(spec.submodule_search_locations)[0]) / "infer/examples" / rel


@pytest.mark.parametrize(
    ("clip", "language", "syllables"),
    [
        # "对，这就是我，万人敬仰的太乙真人。": 14 Han characters, by the bundled multilingual Whisper base
        ("basic/basic_ref_zh.wav", "zh", 14),
        # "Six spoons of fresh snow peas, five thick slabs of blue cheese, and maybe a snack for her brother Bob.":
        # 22 syllables counted by hand, by tiny.en; the acoustic estimate finds 18 here
        ("multi/main.flac", "en", 22),
    ],
)
def test_rates_count_the_syllables_of_the_transcript_on_real_speech(clip, language, syllables):
    report = analyse(_real_clip(clip), AnalysisOptions(language=language))
    s, sp = report.summary, report.speech
    assert s.language == language
    assert s.speech_rate_source == "transcript" and sp["transcript_rate_rejected"] is None
    assert s.speech_rate_syll_per_s == pytest.approx(syllables / s.duration_s, rel=0.10)
    assert s.articulation_rate_syll_per_s == pytest.approx(sp["transcript_syllable_count"] / s.speaking_time_s)
    # the acoustic estimate stays in the report for comparison
    assert sp["acoustic_syllable_count"] > 0
    assert sp["acoustic_speech_rate_syll_per_s"] == pytest.approx(sp["acoustic_syllable_count"] / s.duration_s)
    assert ("cmudict" in [m.name for m in report.models]) is True


def test_a_mandarin_answer_heard_as_english_falls_back_to_the_acoustic_estimate():
    # told "en", tiny.en turns the Mandarin into unsure English ("Do I? Do you feel more? ..."): not a usable count
    report = analyse(_real_clip("basic/basic_ref_zh.wav"), AnalysisOptions(language="en"))
    sp = report.speech
    assert report.summary.speech_rate_source == "acoustic"
    assert sp["transcript_rate_rejected"] == "low_confidence"
    assert report.summary.speech_rate_syll_per_s == sp["acoustic_speech_rate_syll_per_s"]


def _speech(**kw) -> dict:
    base = {"duration_s": 10.0, "speaking_time_s": 8.0, "syllable_count": 30, "speech_rate_syll_per_s": 3.0,
            "articulation_rate_syll_per_s": 3.75}
    return base | kw


def _transcript(text: str, language: str | None = "en", p: float = 0.9) -> dict:
    return {"language": language, "text": text, "words": [{"w": w, "s": 0, "e": 0, "p": p} for w in text.split()]}


@pytest.mark.parametrize(
    ("transcript", "reason"),
    [
        (None, "no_transcript"),
        (_transcript("bonjour tout le monde, comment allez-vous aujourd'hui", "fr"), "language_unknown"),
        (_transcript("some call me nature others call me mother nature", p=0.3), "low_confidence"),
        (_transcript("I am not sure if I am going to be here. " * 5), "repetitive"),
        (_transcript("yes"), "too_short"),
        (_transcript("some call me nature others call me mother nature " * 8), "repetitive"),
        (_transcript("对，这就是我，万人敬仰的太乙真人。" * 4, "zh"), "repetitive"),
        (_transcript("对，这就是我，万人敬仰的太乙真人。虽然有点婴儿肥，但也掩不住我逼人的帅气。今夜的月光如此清亮，"
                     "不做些什么真是浪费。随我一同去月下漫步吧，不许拒绝。自古以来，庸君最怕党争了。", "zh"),
         "implausible_rate"),  # 85 characters in 8 s of speech: more than 9 a second
    ],
)
def test_an_unusable_transcript_leaves_the_acoustic_rate(transcript, reason):
    speech = _speech()
    assert transcript_rates(speech, transcript, SpeechParams()) == "acoustic"
    assert speech["transcript_rate_rejected"] == reason
    assert speech["speech_rate_syll_per_s"] == speech["acoustic_speech_rate_syll_per_s"] == 3.0
    assert speech["syllable_count"] == speech["acoustic_syllable_count"] == 30


def test_a_long_transcript_that_does_not_loop_is_not_taken_for_a_loop():
    import re
    import zlib
    from pydoc_data.topics import topics  # 9,000 bytes of real English prose (Python's reference manual)

    text = " ".join(re.sub(r"[^A-Za-z,.;: ]+", " ", topics[k]) for k in ("if", "while", "for", "try", "with", "function"))
    text = re.sub(r" +", " ", text)[:9000]
    raw = text.encode()
    assert len(raw) / len(zlib.compress(raw)) > 2.4  # as a whole, a long text compresses like a loop
    speech = _speech(duration_s=600.0, speaking_time_s=500.0)
    assert transcript_rates(speech, _transcript(text), SpeechParams()) == "transcript"


def test_a_usable_transcript_sets_the_rates():
    speech = _speech()
    tr = _transcript("Some call me nature, others call me mother nature. I've been here for over 4.5 billion years.")
    assert transcript_rates(speech, tr, SpeechParams()) == "transcript"
    assert speech["transcript_syllable_count"] == speech["syllable_count"] == 13 + 6 + 3 + 2 + 1
    assert speech["speech_rate_syll_per_s"] == pytest.approx(25 / 10.0)
    assert speech["articulation_rate_syll_per_s"] == pytest.approx(25 / 8.0)
    assert speech["acoustic_speech_rate_syll_per_s"] == 3.0
