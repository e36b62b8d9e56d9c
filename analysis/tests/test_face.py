"""Face and posture on generated video with known times; neutral signals only."""

from __future__ import annotations

import json

import pytest

from analysis import AnalysisOptions, analyse


@pytest.fixture(scope="module")
def face_report(face_video):
    return analyse(face_video.path, AnalysisOptions(language="en", face=True, keywords=["customer"]))


def test_face_leaving_the_frame_is_timed_within_half_a_second(face_report, face_video):
    absent = face_report.events_of("face_absent")
    assert len(absent) == 1
    assert absent[0].start_s == pytest.approx(face_video.absent[0], abs=0.5)
    assert absent[0].end_s == pytest.approx(face_video.absent[1], abs=0.5)
    gone = (face_video.absent[1] - face_video.absent[0]) / face_video.duration_s
    assert face_report.summary.face_present_ratio == pytest.approx(1 - gone, abs=0.05)


def test_head_turned_away_is_timed_within_half_a_second(face_report, face_video):
    looks = face_report.events_of("look_away")
    assert len(looks) == 1
    assert looks[0].start_s == pytest.approx(face_video.turned[0], abs=0.5)
    assert looks[0].end_s == pytest.approx(face_video.turned[1], abs=0.5)
    assert abs(looks[0].detail["yaw_deg"]) > 20
    assert face_report.summary.look_away_count == 1


def test_the_astronaut_is_smiling_and_not_frowning(face_report):
    smiles = face_report.events_of("smile")
    # one smile before she leaves the frame, one after she returns (she smiles throughout)
    assert len(smiles) >= 2 and face_report.summary.smile_count == len(smiles)
    assert all(e.strength > 0.7 for e in smiles)
    assert smiles[0].start_s == pytest.approx(0.0, abs=0.3)
    assert face_report.summary.frown_count == 0
    assert face_report.face["multiple_faces_ratio"] == 0


def test_posture_is_measured(face_report):
    p = face_report.posture
    assert p["samples"] >= 6 and p["sample_fps"] == 0.5 and p["body_visible_ratio"] > 0.6
    assert abs(p["shoulder_tilt_mean_deg"]) < 15
    assert face_report.models[0].name == "face-landmarks"


def test_speech_and_face_run_on_the_same_recording(face_report, face_video):
    s = face_report.summary
    assert face_report.media.container == "matroska,webm"
    assert s.pause_count == 2
    assert s.speaking_time_s == pytest.approx(face_video.speech.speaking_time_s, rel=0.05)
    assert s.keywords == {"customer": 2}
    assert face_report.media.video_frames_decoded == 14 * 15


def test_output_has_no_emotion_or_personality_labels(face_report):
    text = json.dumps(face_report.to_dict()).lower()
    for word in ("emotion", "nervous", "confident", "happy", "sad", "angry", "anxious", "honest", "personality"):
        if word == "happy":  # the transcript says "the customer was happy": look outside it
            d = face_report.to_dict()
            d.pop("transcript")
            assert word not in json.dumps(d).lower()
            continue
        assert word not in text, word


def test_no_face_means_no_video_frame_is_decoded(face_video):
    report = analyse(face_video.path, AnalysisOptions(language="en", face=False, transcript=False))
    assert report.media.video_frames_decoded == 0
    assert report.face is None and report.posture is None
    s = report.to_dict()["summary"]
    assert s["face_present_ratio"] is None and s["smile_count"] is None and s["look_away_count"] is None
    assert not [e for e in report.events if e.type in ("smile", "frown", "look_away", "face_absent", "gesture")]
    assert s["pause_count"] == 2


def test_a_video_without_a_face_is_face_absent_not_a_crash(no_face_video):
    report = analyse(no_face_video, AnalysisOptions(face=True))
    assert report.summary.face_present_ratio == 0
    assert report.summary.smile_count == 0 and report.summary.look_away_count == 0
    assert report.posture["body_visible_ratio"] == 0
    codes = [w.code for w in report.warnings]
    assert "face_absent" in codes and "no_speech" in codes
    assert report.face["face_absent_s"] == pytest.approx(4.0, abs=0.3)


def test_two_people_are_reported(tmp_path):
    import cv2
    import numpy as np
    from skimage import data

    from analysis import synth

    head = cv2.resize(data.astronaut()[0:260, 110:370], (300, 300))  # her head and shoulders, close up
    two = np.full((480, 640, 3), 120, np.uint8)
    two[90:390, 10:310] = head
    two[90:390, 330:630] = head
    p = synth.write_media(
        tmp_path / "two.webm", audio=np.zeros(3 * synth.SR, np.float32), frames=lambda i, t: two, fps=10, n_frames=30
    )
    report = analyse(p, AnalysisOptions(face=True, transcript=False))
    assert report.face["multiple_faces_ratio"] == 1.0
    assert [e.detail["max_faces"] for e in report.events_of("multiple_faces")] == [2]
    assert "multiple_faces" in [w.code for w in report.warnings]
    assert report.summary.face_present_ratio == 1.0


@pytest.mark.parametrize("threads", [2, 3])
def test_more_cores_give_the_same_figures(face_report, face_video, threads):
    """threads=2: the video is decoded and analysed in its own thread while the audio is read a second time
    for speech and ASR; threads=3: posture has a thread of its own too. The results are the same."""
    two = analyse(face_video.path, AnalysisOptions(language="en", face=True, keywords=["customer"], threads=threads))
    assert two.media.video_frames_decoded == face_report.media.video_frames_decoded
    assert two.summary == face_report.summary
    assert two.speech == face_report.speech
    assert two.transcript == face_report.transcript
    assert two.posture == face_report.posture
    assert two.face == face_report.face
    assert [(e.type, e.start_s, e.end_s) for e in two.events if e.type != "keyword"] == \
        [(e.type, e.start_s, e.end_s) for e in face_report.events if e.type != "keyword"]
    assert two.summary.keywords == face_report.summary.keywords


def _tasks_face_landmarker(frame):
    """MediaPipe's own Tasks FaceLandmarker on one frame: (smile, frown, (yaw, pitch, roll)) as reference."""
    import mediapipe as mp
    import numpy as np
    from mediapipe.tasks.python import BaseOptions, vision

    from analysis.face import face_model_path

    opts = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=face_model_path()),
        running_mode=vision.RunningMode.IMAGE,
        num_faces=1,
        output_face_blendshapes=True,
        output_facial_transformation_matrixes=True,
    )
    with vision.FaceLandmarker.create_from_options(opts) as lm:
        r = lm.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame)))
    bs = {c.category_name: c.score for c in r.face_blendshapes[0]}
    m = np.asarray(r.facial_transformation_matrixes[0])[:3, :3]
    # MediaPipe's matrix: yaw about y, pitch about x (positive = looking down), roll about z
    angles = (
        float(np.degrees(np.arctan2(-m[2, 0], np.hypot(m[2, 1], m[2, 2])))),
        -float(np.degrees(np.arctan2(m[2, 1], m[2, 2]))),
        float(np.degrees(np.arctan2(m[1, 0], m[0, 0]))),
    )
    return (bs["mouthSmileLeft"] + bs["mouthSmileRight"]) / 2, (bs["browDownLeft"] + bs["browDownRight"]) / 2, angles


def test_blendshapes_and_head_pose_agree_with_mediapipes_own_face_landmarker():
    """The LiteRT pipeline (468-point mesh, iris placed from the eye contour, blendshape model, Procrustes
    head pose) measures what MediaPipe's Tasks FaceLandmarker measures on the same frames."""
    from analysis import synth
    from analysis.face import face_model_path
    from analysis.facemesh import FaceDetector, FaceMesh

    base = synth.astronaut_frame()
    frames = {
        "front": base,
        "yaw 45": synth.turned_face(base, yaw_deg=45),
        "yaw -30": synth.turned_face(base, yaw_deg=-30),
        "pitch 30": synth.turned_face(base, pitch_deg=30),
        "roll 15": synth.rotated(base, 15),
    }
    detector = FaceDetector()
    ours, ref = {}, {}
    for name, frame in frames.items():
        mesh = FaceMesh(face_model_path())
        m = mesh.measure(frame, detector.detect)
        assert m is not None, name
        ours[name] = (m.score("mouthSmileLeft", "mouthSmileRight"), m.score("browDownLeft", "browDownRight"),
                      (m.yaw, m.pitch, m.roll))
        ref[name] = _tasks_face_landmarker(frame)
    for name in frames:
        assert ours[name][0] == pytest.approx(ref[name][0], abs=0.1), name  # smile
        assert ours[name][1] == pytest.approx(ref[name][1], abs=0.1), name  # brow lowering
        assert ours[name][0] > 0.7 and ours[name][1] < 0.3, name
        # head pose as a change from the frontal face (absolute offsets differ; HireLens uses only changes)
        for axis in range(3):
            d_ours = ours[name][2][axis] - ours["front"][2][axis]
            d_ref = ref[name][2][axis] - ref["front"][2][axis]
            assert d_ours == pytest.approx(d_ref, abs=7), (name, axis, d_ours, d_ref)
    assert ours["yaw 45"][2][0] - ours["front"][2][0] < -20
    assert ours["pitch 30"][2][1] - ours["front"][2][1] < -15  # looking down
    assert ours["roll 15"][2][2] - ours["front"][2][2] == pytest.approx(15, abs=3)
