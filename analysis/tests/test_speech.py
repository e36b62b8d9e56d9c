"""Speech accuracy on espeak-ng speech with known rates, pauses and speaking time."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import AnalysisOptions, analyse, synth


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
