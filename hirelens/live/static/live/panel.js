// The live AI panel (interviewers only): neutral signals of analysis.live, received as the room's "panel"
// messages. room.js owns the WebSocket and dispatches every message as a "hirelens:room" CustomEvent; this file
// only listens. Words come from the template's data-t-* attributes (translated there), never from codes.
// Test hook: window.hirelensPanel.received = [{kind, media_t, wall_ms, at_ms}] (at_ms: when shown).
(function () {
  "use strict";

  const root = document.getElementById("live-panel");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const t = (key, values) => {
    let text = root.dataset["t" + key.replace(/(^|-)(\w)/g, (_m, _d, c) => c.toUpperCase())] || "";
    Object.entries(values || {}).forEach(([k, v]) => { text = text.split("{" + k + "}").join(String(v)); });
    return text;
  };
  const BASELINE_S = 120; // the candidate's own first two minutes of transcribed speech
  const SAME_PCT = 5;
  const OPENING_SEEN_S = 30; // a page whose first rate event is later than this missed the candidate's opening // closer than this to the baseline reads "about the same"
  const MAX_SEGMENTS = 40;
  const MAX_CONTEXTS = 3;
  const FACE = new Set(["face_present", "face_absent", "look_away", "smile", "frown"]);

  const state = {
    speaking: false, onset: null, spoken: 0, lastT: 0,
    pauses: 0, longPauses: 0, longest: 0, pauseOpen: false,
    firstRateAt: null, baseline: [], baselineRate: null, rate: null, sawOpening: null,
    keywords: new Map(), segments: new Map(),
  };
  // The baseline belongs to the candidate's opening: kept in this tab's sessionStorage (a reload keeps it); a page
  // that joined after the opening's first half minute never takes a later stretch as "the opening".
  const roomEl = document.getElementById("room");
  const storeKey = "hirelens-panel-baseline-" + ((roomEl && roomEl.dataset.roomId) || location.pathname);
  try {
    const kept = JSON.parse(window.sessionStorage.getItem(storeKey) || "null");
    if (kept && Array.isArray(kept.samples)) {
      state.baseline = kept.samples;
      state.firstRateAt = kept.firstRateAt;
      state.baselineRate = kept.rate;
      state.sawOpening = true;
    }
  } catch (_e) { /* storage unavailable: the baseline lives with the page */ }
  const keep = () => {
    try {
      window.sessionStorage.setItem(storeKey, JSON.stringify(
        { samples: state.baseline, firstRateAt: state.firstRateAt, rate: state.baselineRate }));
    } catch (_e) { /* full or disabled */ }
  };
  const panel = window.hirelensPanel || (window.hirelensPanel = {});
  panel.received = panel.received || [];
  panel.state = state;

  const clock = (s) => {
    const total = Math.max(0, Math.floor(Number(s) || 0));
    const m = Math.floor(total / 60);
    return m + ":" + String(total % 60).padStart(2, "0");
  };
  const pct = (x) => Math.round(100 * Math.max(0, Math.min(1, x)));
  const fixed = (x, digits) => (x == null ? "—" : Number(x).toFixed(digits));

  function status(key) {
    $("panel-status").textContent = t(key);
  }

  function shareShow(ev) {
    const el = $("panel-speaking-share");
    const now = Math.max(state.lastT, ev.t_s || 0);
    const spoken = state.spoken + (state.speaking && state.onset != null ? Math.max(0, now - state.onset) : 0);
    const total = now > 0 ? spoken / now : 0;
    el.dataset.share = String(ev.speaking_share);
    el.dataset.total = total.toFixed(3);
    el.textContent = t("share", { window: Math.round(ev.window_s || 0), recent: pct(ev.speaking_share || 0), total: pct(total) });
  }

  function rateShow(ev) {
    if (state.sawOpening == null) state.sawOpening = ev.t_s <= OPENING_SEEN_S;
    // articulation rate (syllables per second of speech) where the window had enough speech: the interviewers'
    // turns and the candidate's pauses do not pull it down; the speech rate otherwise
    const rate = ev.articulation_rate_syll_per_s != null ? ev.articulation_rate_syll_per_s : ev.speech_rate_syll_per_s;
    if (rate == null || ev.transcribed_until_s == null) return;
    state.rate = rate;
    if (state.sawOpening && state.baselineRate == null) {
      if (state.firstRateAt == null) state.firstRateAt = ev.transcribed_until_s;
      if (ev.transcribed_until_s <= state.firstRateAt + BASELINE_S) state.baseline.push(rate);
      else if (state.baseline.length) state.baselineRate = state.baseline.reduce((a, b) => a + b, 0) / state.baseline.length;
      keep();
    }
    const el = $("panel-rate");
    el.dataset.rate = rate.toFixed(2);
    let line = t("rate", { rate: fixed(rate, 1) });
    const base = $("panel-rate-baseline");
    if (!state.sawOpening) {
      base.textContent = t("rate-unavailable");
      el.dataset.change = "";
      el.dataset.baselineState = "unavailable";
    } else if (state.baselineRate == null) {
      base.textContent = t("rate-building");
      el.dataset.change = "";
      el.dataset.baselineState = "building";
    } else {
      el.dataset.baselineState = "ready";
      const change = Math.round(100 * (rate - state.baselineRate) / state.baselineRate);
      el.dataset.baseline = state.baselineRate.toFixed(2);
      el.dataset.change = String(change);
      line += " · " + (Math.abs(change) < SAME_PCT ? t("same") : change > 0 ? t("faster", { n: change }) : t("slower", { n: -change }));
      base.textContent = t("baseline", { rate: fixed(state.baselineRate, 1) });
    }
    el.textContent = line;
  }

  function pausesShow() {
    const el = $("panel-pauses");
    el.dataset.count = String(state.pauses);
    el.dataset.long = String(state.longPauses);
    let text = t("pauses", { n: state.pauses, long: state.longPauses });
    if (state.longest > 0) text += " · " + t("longest", { s: fixed(state.longest, 1) });
    if (state.pauseOpen) text += " · " + t("pause-open");
    el.textContent = text;
  }

  function keywordShow(ev) {
    const list = $("panel-keywords");
    let item = state.keywords.get(ev.keyword);
    if (!item) {
      item = document.createElement("li");
      item.dataset.keyword = ev.keyword;
      const name = document.createElement("strong");
      name.textContent = ev.keyword;
      const count = document.createElement("span");
      count.className = "badge";
      const contexts = document.createElement("ul");
      contexts.className = "small";
      item.append(name, " ", count, contexts);
      state.keywords.set(ev.keyword, item);
      list.appendChild(item);
      $("panel-keywords-none").hidden = true;
    }
    item.dataset.count = String(ev.count);
    item.querySelector(".badge").textContent = "× " + ev.count;
    const context = document.createElement("li");
    const at = document.createElement("span");
    at.className = "muted";
    at.textContent = t("at", { time: clock(ev.start_s) }) + " ";
    context.append(at, ev.context || ev.keyword);
    const contexts = item.querySelector("ul");
    contexts.prepend(context);
    while (contexts.children.length > MAX_CONTEXTS) contexts.lastElementChild.remove();
  }

  function transcriptShow(ev) {
    const box = $("panel-transcript");
    const follow = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
    let seg = state.segments.get(ev.segment);
    if (!seg) {
      seg = document.createElement("p");
      seg.dataset.segment = String(ev.segment);
      const at = document.createElement("span");
      at.className = "muted small";
      at.textContent = clock(ev.start_s) + " ";
      const stable = document.createElement("span");
      stable.className = "stable";
      const open = document.createElement("span");
      open.className = "muted";
      seg.append(at, stable, open);
      state.segments.set(ev.segment, seg);
      box.appendChild(seg);
      while (state.segments.size > MAX_SEGMENTS) {
        const [first, el] = state.segments.entries().next().value;
        el.remove();
        state.segments.delete(first);
      }
    }
    if (seg.dataset.kind === "final") return; // a final is never replaced by a late partial
    seg.dataset.kind = ev.type;
    const text = ev.text || "";
    const stable = ev.type === "final" ? text : (ev.stable_text && text.startsWith(ev.stable_text) ? ev.stable_text : "");
    seg.querySelector(".stable").textContent = stable;
    seg.lastElementChild.textContent = text.slice(stable.length);
    if (follow) box.scrollTop = box.scrollHeight;
  }

  function faceShow(ev) {
    $("panel-face").hidden = false;
    if (ev.type === "face_present" || ev.type === "face_absent") {
      const present = ev.type === "face_present";
      const el = $("panel-face-present");
      el.dataset.present = present ? "1" : "0";
      el.textContent = t(present ? "present" : "absent");
    }
    const ids = { face_absent: "panel-face-absent", look_away: "panel-look-away", smile: "panel-smile", frown: "panel-frown" };
    if (ids[ev.type]) {
      const el = $(ids[ev.type]);
      el.dataset.count = String(ev.count);
      el.textContent = String(ev.count);
    }
  }

  function show(ev) {
    const kind = ev.type;
    if (ev.t_s > state.lastT) state.lastT = ev.t_s;
    if (kind === "speech_start") {
      if (state.onset != null && !state.speaking) state.pauses += 1; // a silence between two stretches of speech
      state.speaking = true;
      state.onset = ev.t_s;
      status("speaking");
      pausesShow();
    } else if (kind === "speech_end") {
      if (state.speaking && state.onset != null) state.spoken += Math.max(0, ev.t_s - state.onset);
      state.speaking = false;
      status("silent");
    } else if (kind === "pause") {
      state.longPauses += 1;
      state.pauseOpen = true;
      pausesShow();
    } else if (kind === "pause_end") {
      state.pauseOpen = false;
      state.longest = Math.max(state.longest, ev.duration_s || 0);
      pausesShow();
    } else if (kind === "rate") {
      shareShow(ev);
      rateShow(ev);
      if (!state.speaking && $("panel-status").textContent === t("waiting")) status("listening");
    } else if (kind === "partial" || kind === "final") {
      transcriptShow(ev);
    } else if (kind === "keyword") {
      keywordShow(ev);
    } else if (FACE.has(kind)) {
      faceShow(ev);
    }
  }

  const replay = { waiting: false, held: [], run: null, last: -1 };
  document.addEventListener("hirelens:room", (event) => {
    const msg = event.detail || {};
    if (msg.type === "voice_only") {
      const note = $("panel-face-paused");
      note.hidden = !msg.on;
      note.textContent = msg.on ? t("voice-only") : "";
      return;
    }
    // A page that (re)joins gets "room" (history_follows), then "panel_history" (what the panel said before: panel_history.py), then
    // live events; a live event that overtakes the history waits for it. Events are numbered per analysis run (n),
    // so nothing is shown twice and the counts are the same on every interviewer's page.
    if (msg.type === "room") { if (msg.history_follows) replay.waiting = true; return; }
    if (msg.type === "panel_history") {
      replay.waiting = false;
      for (const item of msg.events || []) take(item, true);
      const held = replay.held.splice(0);
      for (const item of held) take(item, false);
      panel.replayed = (msg.events || []).length;
      return;
    }
    if (msg.type !== "panel" || !msg.event || !msg.event.type) return;
    if (replay.waiting) { if (replay.held.length < 2000) replay.held.push(msg); return; }
    take(msg, false);
  });
  function take(msg, fromHistory) {
    if (!msg || !msg.event || !msg.event.type) return;
    if (typeof msg.n === "number") {
      if (msg.run !== replay.run) { replay.run = msg.run; replay.last = -1; } // a new analysis run counts afresh
      if (msg.n <= replay.last) return; // seen already
      replay.last = msg.n;
    }
    show(msg.event);
    panel.received.push({ kind: msg.event.type, media_t: msg.event.t_s, wall_ms: msg.wall_ms, at_ms: Date.now(), replayed: fromHistory });
    if (panel.received.length > 5000) panel.received.splice(0, 1000);
  }
})();
