"""The bounded probe on what a real browser records (issue 22): Chromium's MediaRecorder (VP8 + Opus, pieces every
2 s, as the interview page records) writes WebM with no duration, no cues and clusters of unknown size; the bounded
probe's facts, read from the first packets and the last clusters, are the full probe's."""

from __future__ import annotations

import base64
import io

import pytest

from conftest import CHROMIUM, CHROMIUM_ARGS
from hirelens.interviews.media import HEAD_AUDIO_S, probe, probe_quick

pytestmark = pytest.mark.e2e

RECORD = """async (ms) => {
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 640, height: 480}});
  const recorder = new MediaRecorder(stream, {mimeType: 'video/webm;codecs=vp8,opus'});
  const pieces = [];
  recorder.ondataavailable = (event) => pieces.push(event.data);
  recorder.start(2000);
  await new Promise((done) => setTimeout(done, ms));
  await new Promise((done) => { recorder.onstop = done; recorder.stop(); });
  stream.getTracks().forEach((track) => track.stop());
  const bytes = new Uint8Array(await new Blob(pieces).arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  return btoa(text);
}"""


def test_a_chromium_recording_has_the_same_facts_read_from_its_ends(playwright_session):
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"])
    try:
        page = browser.new_page()
        # a secure origin (getUserMedia needs one), answered here without a server
        page.route("https://recorder.test/", lambda route: route.fulfill(status=200, content_type="text/html", body="<p>rec</p>"))
        page.goto("https://recorder.test/")
        data = base64.b64decode(page.evaluate(RECORD, 12_000))
    finally:
        browser.close()
    full = probe(io.BytesIO(data))
    assert full["has_video"] and full["has_audio"] and 11.0 < full["duration_s"] < 14.0
    for options in ({}, {"head_packets": 50, "tail_bytes": 4096}):  # the second: the last cluster found from the end
        quick = probe_quick(io.BytesIO(data), **options)
        assert {k: v for k, v in quick.items() if k != "audio_s"} == {k: v for k, v in full.items() if k != "audio_s"}
        assert 0 < quick["audio_s"] <= HEAD_AUDIO_S + 0.1
