// The live interview room (docs/live.md): WebSocket signalling with automatic reconnection, a WebRTC mesh between
// the browsers (the later joiner offers; perfect negotiation), the candidate's extra connection to the server peer
// (non-trickle), quality from getStats, and the page's controls, notes and questions. Every server message is also
// dispatched as a "hirelens:room" DOM event for the panel and incidents scripts.
(() => {
  "use strict";
  const root = document.getElementById("room");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";

  const ROLE = root.dataset.role;
  const STAFF = ROLE === "interviewer";
  const $ = (id) => document.getElementById(id);
  const S = JSON.parse(($("room-strings") || { textContent: "{}" }).textContent);
  const TAGS = $("room-tags") ? JSON.parse($("room-tags").textContent) : {};
  let iceServers = [];
  try { iceServers = JSON.parse(root.dataset.iceServers || "[]"); } catch (e) { iceServers = []; }
  const rtcConfig = { iceServers };
  const newId = () => (window.crypto && crypto.randomUUID ? crypto.randomUUID() : Math.random().toString(16).slice(2) + Date.now().toString(16)).replace(/[^a-zA-Z0-9_-]/g, "");
  const peerId = newId().slice(0, 32);

  // --- state ---------------------------------------------------------------------------------------
  let ws = null;
  let joinedOnce = false;
  let wsReopened = false; // this socket replaces one that had joined: restart ICE, publish again
  let wsRetry = 0;
  let wsTimer = null;
  let lastPong = 0;
  let wsRtt = null;
  let stopped = false; // ended, left or replaced: no more reconnecting
  let wantJoin = !!STAFF;
  let roomState = root.dataset.state;
  let admitted = false;
  let mySeq = 0;
  let voiceOnly = root.dataset.voiceOnly === "1";
  let clock = null; // {base: media seconds, at: performance.now()}
  let localStream = null;
  let audioTrack = null;
  let videoTrack = null;
  let screenTrack = null;
  let muted = false;
  let cameraOff = false;
  let serverPc = null;
  let serverPending = false;
  let serverVideo = null;
  let serverRetries = 0;
  let janusMode = false; // the room's media go through the Janus SFU: janus-room.js does them, not the mesh
  const peers = new Map(); // peer id -> {pc, info, polite, makingOffer, ignoreOffer, restarting, sending, stream, tile, prev, localLevel, leaveTimer}
  const infos = new Map(); // peer id -> participant info from the server
  const queues = new Map(); // peer id -> promise chain of its signals

  const setState = (value) => { roomState = value; root.dataset.state = value; publicApi.state = value; };
  const statusEl = $("connection-status");
  const setStatus = (value) => {
    if (!statusEl) return;
    statusEl.dataset.state = value;
    statusEl.textContent = value === "connected" ? S.connected : S.reconnecting;
  };
  function showError(text) {
    const box = $("room-error");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
    clearTimeout(showError.timer);
    if (text) showError.timer = setTimeout(() => { box.hidden = true; }, 6000);
  }
  const show = (id, on) => { const el = $(id); if (el) el.hidden = !on; };
  // A step of the candidate's page that appears takes the focus to its heading (screen readers read where they are;
  // a keyboard continues from there). A step already shown keeps the focus where it is.
  // The "need help?" link carries the step the candidate is on (HR reads it in words on the ticket).
  const HELP_STEPS = { "step-consent": "consent", "device-check": "device", waiting: "waiting", "in-room": "room",
                       "room-left": "room", "room-ended": "done" };
  function helpStep(id) {
    const link = document.querySelector("[data-testid=need-help]");
    if (!link || !HELP_STEPS[id]) return;
    const url = new URL(link.href, location.href);
    url.searchParams.set("step", HELP_STEPS[id]);
    link.href = url.pathname + url.search;
  }
  function showStep(id) {
    const el = $(id);
    if (el) helpStep(id);
    if (!el || !el.hidden) return;
    el.hidden = false;
    const heading = el.querySelector("h1, h2");
    if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: false }); }
  }

  // --- local media ---------------------------------------------------------------------------------
  async function getLocalMedia() {
    if (localStream) return localStream;
    const md = navigator.mediaDevices;
    if (!md || !md.getUserMedia) { showError(S.noMic); return null; }
    try {
      localStream = await md.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true }, video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } } });
    } catch (e) {
      try {
        localStream = await md.getUserMedia({ audio: true });
        showError(S.noCamera);
      } catch (e2) {
        showError(S.noMic);
        localStream = null;
        return null;
      }
    }
    audioTrack = localStream.getAudioTracks()[0] || null;
    videoTrack = localStream.getVideoTracks()[0] || null;
    const selfView = $("self-view");
    if (selfView) { selfView.srcObject = localStream; selfView.play().catch(() => {}); }
    return localStream;
  }
  const outgoing = (kind) => (kind === "audio" ? audioTrack : (voiceOnly ? null : (screenTrack || videoTrack)));

  // --- WebSocket -----------------------------------------------------------------------------------
  function wsUrl() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    return proto + "//" + location.host + root.dataset.wsUrl;
  }
  function send(msg) {
    if (ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(msg)); return true; }
    return false;
  }
  // What a person wrote (a note, a question, an answer) while the socket was down waits here and goes out once the
  // page is back in the room (onRoom), instead of being dropped.
  const outbox = [];
  const OUTBOX_MAX = 20;
  function sendWritten(msg) {
    if (send(msg)) return true;
    if (outbox.length >= OUTBOX_MAX) { showOutbox(true); return false; } // it stays in its box, and the page says why
    outbox.push(msg);
    showOutbox();
    return true;
  }
  function flushOutbox() {
    while (outbox.length && send(outbox[0])) outbox.shift();
    showOutbox();
  }
  function showOutbox(full) { // what waits is said beside the connection status, and announced
    let line = $("outbox-status");
    if (!line && statusEl) {
      line = document.createElement("span");
      line.id = "outbox-status";
      line.className = "muted small";
      line.setAttribute("aria-live", "polite");
      statusEl.after(" ", line);
    }
    if (!line) return;
    line.hidden = !outbox.length;
    line.textContent = !outbox.length ? "" : (full ? S.outboxFull || "" : S.outbox || "").replace("{n}", String(outbox.length));
  }
  function connect() {
    if (stopped) return;
    clearTimeout(wsTimer);
    if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) return;
    const sock = new WebSocket(wsUrl());
    ws = sock;
    sock.onopen = () => {
      if (ws !== sock) return;
      wsRetry = 0;
      wsReopened = joinedOnce;
      lastPong = Date.now();
      sock.send(JSON.stringify({ type: "join", peer: peerId, reconnect: joinedOnce,
        media: { audio: !!audioTrack && !muted, video: !!videoTrack && !cameraOff } }));
    };
    sock.onmessage = (event) => {
      if (ws !== sock) return;
      let msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      handle(msg);
      document.dispatchEvent(new CustomEvent("hirelens:room", { detail: msg }));
    };
    sock.onclose = (event) => {
      if (ws !== sock) return;
      ws = null;
      if (event.code === 4410) { onEnded(); return; }
      if (event.code === 4409) { stop(S.replaced); return; }
      if (event.code === 4401 || event.code === 4403 || event.code === 4404) { stop(""); showError(S.left); return; }
      if (stopped) return;
      setStatus("reconnecting");
      scheduleReconnect();
    };
  }
  function scheduleReconnect() {
    clearTimeout(wsTimer);
    if (navigator.onLine === false) return; // the "online" event reconnects: no attempts into a dead network
    const delay = [300, 700, 1000, 1500][Math.min(wsRetry, 3)];
    wsRetry += 1;
    wsTimer = setTimeout(connect, delay);
  }
  window.addEventListener("online", () => { if (!stopped && wantJoin) { wsRetry = 0; connect(); } });
  window.addEventListener("offline", () => {
    if (stopped) return;
    setStatus("reconnecting");
    if (ws) { const sock = ws; ws = null; try { sock.close(); } catch (e) { /* closed */ } scheduleReconnect(); }
  });
  setInterval(() => {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - lastPong > 6000) { // a socket that stopped answering: drop it and reconnect
      const sock = ws; ws = null;
      try { sock.close(); } catch (e) { /* closed */ }
      setStatus("reconnecting");
      scheduleReconnect();
      return;
    }
    send({ type: "ping", t: performance.now() });
  }, 2000);

  // --- messages ------------------------------------------------------------------------------------
  function handle(msg) {
    switch (msg.type) {
      case "room": onRoom(msg); break;
      case "pong": lastPong = Date.now(); if (typeof msg.t === "number") wsRtt = performance.now() - msg.t; break;
      case "peer_joined": onPeerJoined(msg); break;
      case "peer_left": onPeerLeft(msg); break;
      case "peer_state": onPeerState(msg); break;
      case "signal": enqueue(msg.from, () => onSignal(msg.from, msg.data || {})); break;
      case "admitted": if (STAFF) renderWaiting(); break;
      case "ended": onEnded(); break;
      case "voice_only": setVoiceOnly(!!msg.on); break;
      case "consents": if (STAFF && $("panel-declined")) $("panel-declined").hidden = !!msg.ai_analysis; break;
      case "note": addNote(msg); break;
      case "question": addQuestion(msg); break;
      case "answer": setAnswer(msg); break;
      case "server_answer": onServerAnswer(msg); break;
      case "error": onError(msg); break;
      default: break;
    }
  }

  function onRoom(msg) {
    const reconnect = wsReopened; // a room sent again (after an admission) is not a reconnection
    wsReopened = false;
    joinedOnce = true;
    lastPong = Date.now();
    setStatus("connected");
    admitted = !!msg.admitted;
    mySeq = (msg.you && msg.you.seq) || 0;
    if (typeof msg.media_time_s === "number") clock = { base: msg.media_time_s, at: performance.now() };
    if (msg.voice_only !== undefined) setVoiceOnly(!!msg.voice_only);
    janusMode = !!msg.janus;
    if (msg.state === "ended") { onEnded(); return; }
    // the conversation so far: what went out while this page was away (a drop, a reload) is shown again
    (msg.notes || []).forEach(addNote);
    (msg.questions || []).forEach((q) => { addQuestion(q); if (q.answer) setAnswer(q.answer); });
    flushOutbox();
    if (screenTrack) sendState(); // a join says muted and camera only: a screen still shared is said again
    const listed = new Set();
    (msg.participants || []).forEach((p) => { infos.set(p.peer, Object.assign(infos.get(p.peer) || {}, p, { left: false })); listed.add(p.peer); });
    if (ROLE === "candidate") {
      setState(admitted ? "open" : "waiting");
      show("device-check", false);
      if (admitted) { show("waiting", false); showStep("in-room"); } else { show("in-room", false); showStep("waiting"); }
      placeSelf(admitted ? null : "waiting-preview");
      show("self-box", true);
      if (!admitted) return;
    } else {
      setState(msg.state);
      renderWaiting();
    }
    if (janusMode) { janusEnter(); return; }
    // peers gone while this page was away
    for (const [id, st] of peers) if (!listed.has(id)) removePeer(id);
    for (const p of msg.participants || []) {
      if (!p.admitted) continue;
      const st = peers.get(p.peer);
      if (st) {
        if (st.leaveTimer) { clearTimeout(st.leaveTimer); st.leaveTimer = null; }
        updateTile(p.peer);
        if (reconnect) restartIce(st);
      } else if (p.seq && mySeq > p.seq) {
        createPeer(p.peer, true);
      } else {
        ensureTile(p.peer);
      }
    }
    ensureServerPeer(reconnect);
  }

  function onPeerJoined(msg) {
    infos.set(msg.peer, Object.assign(infos.get(msg.peer) || {}, msg, { left: false }));
    if (STAFF) renderWaiting();
    const st = peers.get(msg.peer);
    if (st && st.leaveTimer) { clearTimeout(st.leaveTimer); st.leaveTimer = null; }
    if (msg.admitted) ensureTile(msg.peer);
  }
  function onPeerLeft(msg) {
    const info = infos.get(msg.peer);
    if (info) info.left = true;
    if (STAFF) renderWaiting();
    const st = peers.get(msg.peer);
    if (!st || msg.leaving) { removePeer(msg.peer); infos.delete(msg.peer); return; } // left on purpose: at once
    const tile = st.tile;
    if (tile) tile.classList.add("away");
    // keep the connection a while: a page coming back after a network drop restarts ICE on it
    st.leaveTimer = setTimeout(() => { removePeer(msg.peer); infos.delete(msg.peer); }, 15000);
  }
  function onPeerState(msg) {
    const info = Object.assign(infos.get(msg.peer) || {}, msg);
    infos.set(msg.peer, info);
    if (STAFF && msg.role === "candidate") renderWaiting();
    if (peers.has(msg.peer) || document.querySelector(`.tile[data-peer="${CSS.escape(msg.peer)}"]`)) updateTile(msg.peer);
    else if (info.admitted && roomState !== "waiting" && ROLE === "interviewer") ensureTile(msg.peer);
  }
  function onError(msg) {
    if (msg.code === "server_peer") { // the room goes on without the server peer; try again a few times
      serverPending = false;
      if (serverPc) { try { serverPc.close(); } catch (e) { /* closed */ } serverPc = null; }
      serverRetries += 1;
      if (serverRetries <= 3) setTimeout(() => ensureServerPeer(false), 3000 * serverRetries);
      return;
    }
    if (msg.code === "consent") { show("step-consent", true); show("device-check", false); helpStep("step-consent"); }
    showError(msg.message || "");
  }

  // --- the mesh ------------------------------------------------------------------------------------
  function enqueue(peer, task) {
    const prev = queues.get(peer) || Promise.resolve();
    const next = prev.then(task).catch((e) => console.warn("signal", peer, e));
    queues.set(peer, next);
    return next;
  }
  function createPeer(peer, offerer) {
    const pc = new RTCPeerConnection(rtcConfig);
    const st = { peer, pc, polite: peerId < peer, makingOffer: false, ignoreOffer: false, restarting: false,
      sending: {}, stream: new MediaStream(), tile: null, prev: null, localLevel: null, leaveTimer: null, iceTimer: null };
    peers.set(peer, st);
    pc.onicecandidate = (e) => { if (e.candidate) send({ type: "signal", to: peer, data: { candidate: e.candidate.toJSON() } }); };
    pc.onnegotiationneeded = async () => {
      try {
        st.makingOffer = true;
        await pc.setLocalDescription();
        send({ type: "signal", to: peer, data: { sdp: pc.localDescription.toJSON(), restart: st.restarting } });
        st.restarting = false;
      } catch (e) {
        console.warn("offer", e);
      } finally {
        st.makingOffer = false;
      }
    };
    pc.ontrack = (e) => {
      st.stream.addTrack(e.track);
      e.track.onunmute = () => { if (!st.stream.getTracks().includes(e.track)) st.stream.addTrack(e.track); };
      const tile = ensureTile(peer);
      const video = tile.querySelector("video");
      if (video.srcObject !== st.stream) video.srcObject = st.stream;
      playVideo(video);
    };
    pc.oniceconnectionstatechange = () => {
      const s = pc.iceConnectionState;
      if (s === "failed") restartIce(st);
      else if (s === "disconnected") {
        clearTimeout(st.iceTimer);
        st.iceTimer = setTimeout(() => { if (pc.iceConnectionState === "disconnected") restartIce(st); }, 2000);
      }
      updateTile(peer);
    };
    pc.onconnectionstatechange = () => updateTile(peer);
    if (offerer) {
      attachLocal(st);
      for (const kind of ["audio", "video"]) {
        if (!pc.getTransceivers().some((t) => t.receiver.track && t.receiver.track.kind === kind)) pc.addTransceiver(kind, { direction: "recvonly" });
      }
    }
    ensureTile(peer);
    return st;
  }
  function attachLocal(st) {
    const pc = st.pc;
    for (const kind of ["audio", "video"]) {
      const track = kind === "audio" ? audioTrack : videoTrack;
      if (!track || st.sending[kind]) continue;
      let transceiver = pc.getTransceivers().find((t) => !t.stopped && t.receiver.track && t.receiver.track.kind === kind && !t.sender.track
        && t.direction !== "stopped");
      if (transceiver) {
        transceiver.direction = "sendrecv";
        transceiver.sender.replaceTrack(outgoing(kind)).catch(() => {});
        try { transceiver.sender.setStreams(localStream); } catch (e) { /* older browsers */ }
        st.sending[kind] = transceiver.sender;
      } else {
        const sender = pc.addTrack(track, localStream);
        if (kind === "video" && outgoing("video") !== track) sender.replaceTrack(outgoing("video")).catch(() => {}); // voice only, or a screen shared
        st.sending[kind] = sender;
      }
    }
  }
  async function onSignal(from, data) {
    if (janusMode) return;
    let st = peers.get(from);
    if (data.reset) { // the other side lost our connection: start a fresh one
      if (st) removePeer(from, true);
      createPeer(from, true);
      return;
    }
    if (data.sdp) {
      const desc = data.sdp;
      if (!st) {
        if (desc.type !== "offer") return;
        if (data.restart) { send({ type: "signal", to: from, data: { reset: true } }); return; }
        st = createPeer(from, false);
      }
      const pc = st.pc;
      const collision = desc.type === "offer" && (st.makingOffer || pc.signalingState !== "stable");
      st.ignoreOffer = !st.polite && collision;
      if (st.ignoreOffer) return;
      await pc.setRemoteDescription(desc);
      if (desc.type === "offer") {
        attachLocal(st);
        await pc.setLocalDescription();
        send({ type: "signal", to: from, data: { sdp: pc.localDescription.toJSON() } });
      }
    } else if (data.candidate) {
      if (!st) return;
      try { await st.pc.addIceCandidate(data.candidate); } catch (e) { if (!st.ignoreOffer) console.warn("candidate", e); }
    }
  }
  function restartIce(st) {
    if (!st || st.janus || st.pc.signalingState === "closed") return;
    st.restarting = true;
    try { st.pc.restartIce(); } catch (e) { /* old browsers: the next offer carries it */ }
  }
  function removePeer(peer, keepTile) {
    const st = peers.get(peer);
    if (st) {
      clearTimeout(st.leaveTimer);
      clearTimeout(st.iceTimer);
      try { st.pc.close(); } catch (e) { /* closed */ }
      peers.delete(peer);
    }
    queues.delete(peer);
    if (!keepTile) removeTile(peer);
  }

  // --- the server peer (candidate: audio and video; interviewers: audio) ------------------------------
  async function ensureServerPeer(reconnect) {
    if (!localStream || roomState === "ended" || !admitted || janusMode) return;
    if (serverPc) {
      const s = serverPc.connectionState;
      if (!reconnect || (s !== "failed" && s !== "closed" && s !== "disconnected")) return;
      try { serverPc.close(); } catch (e) { /* closed */ }
      serverPc = null;
    }
    if (serverPending) return;
    serverPending = true;
    const pc = new RTCPeerConnection(rtcConfig);
    serverPc = pc;
    if (audioTrack) pc.addTrack(audioTrack, localStream);
    serverVideo = null;
    if (!STAFF && videoTrack) {
      serverVideo = pc.addTrack(videoTrack, localStream);
      if (voiceOnly) serverVideo.replaceTrack(null).catch(() => {});
    }
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => { // non-trickle: the whole offer with its candidates
        if (pc.iceGatheringState === "complete") { resolve(); return; }
        const done = () => { if (pc.iceGatheringState === "complete") { pc.removeEventListener("icegatheringstatechange", done); resolve(); } };
        pc.addEventListener("icegatheringstatechange", done);
        setTimeout(resolve, 3000);
      });
      if (serverPc !== pc) return;
      if (!send({ type: "server_offer", sdp: pc.localDescription.sdp })) serverPending = false;
    } catch (e) {
      console.warn("server offer", e);
      serverPending = false;
    }
  }
  async function onServerAnswer(msg) {
    serverPending = false;
    if (!serverPc || serverPc.signalingState !== "have-local-offer") return;
    try { await serverPc.setRemoteDescription({ type: msg.sdp_type || "answer", sdp: msg.sdp }); } catch (e) { console.warn("server answer", e); }
  }

  // --- the Janus SFU path: janus-room.js publishes and subscribes (docs/deployment.md); this file only makes the tiles
  function janusEnter() {
    for (const info of infos.values()) if (info.admitted && !info.left && info.peer !== peerId) ensureTile(info.peer);
  }

  // --- tiles ---------------------------------------------------------------------------------------
  const tilesBox = $("tiles");
  function tileOf(peer) { return tilesBox ? tilesBox.querySelector(`.tile[data-peer="${CSS.escape(peer)}"]`) : null; }
  function ensureTile(peer) {
    let tile = tileOf(peer);
    const info = infos.get(peer) || {};
    if (!tile) {
      tile = document.createElement("div");
      tile.className = "tile";
      tile.dataset.peer = peer;
      const video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      video.setAttribute("playsinline", "");
      const bar = document.createElement("div");
      bar.className = "tile-bar";
      const name = document.createElement("span");
      name.className = "name";
      const role = document.createElement("span");
      role.className = "role badge";
      const flags = document.createElement("span");
      flags.className = "flags";
      const quality = document.createElement("span");
      quality.className = "quality";
      quality.dataset.quality = "";
      bar.append(name, role, flags, quality);
      tile.append(video, bar);
      tilesBox.append(tile);
    }
    const st = peers.get(peer);
    if (st) st.tile = tile;
    tile.dataset.role = info.role || "interviewer";
    updateTile(peer);
    return tile;
  }
  function removeTile(peer) { const tile = tileOf(peer); if (tile) tile.remove(); }
  const RANK = { good: 0, fair: 1, poor: 2 };
  const worst = (...levels) => levels.filter((l) => l in RANK).sort((a, b) => RANK[b] - RANK[a])[0] || "";
  function updateTile(peer) {
    const tile = tileOf(peer);
    if (!tile) return;
    const info = infos.get(peer) || {};
    const st = peers.get(peer);
    tile.dataset.role = info.role || tile.dataset.role;
    tile.querySelector(".name").textContent = info.name || "";
    tile.querySelector(".role").textContent = info.role === "candidate" ? S.candidate : S.interviewer;
    const flags = [];
    if (info.muted) flags.push(S.muted);
    if (info.camera_off) flags.push(S.cameraOff);
    if (info.screen) flags.push(S.screen);
    if (info.left) flags.push(S.leftRoom);
    if (info.role === "candidate" && voiceOnly) flags.push(S.voiceOnlyShort);
    tile.querySelector(".flags").textContent = flags.join(" · ");
    tile.classList.toggle("away", !!info.left);
    let level = worst(info.level, st && st.localLevel);
    if (st && (st.pc.connectionState === "failed" || st.pc.iceConnectionState === "disconnected")) level = "poor";
    const q = tile.querySelector(".quality");
    q.dataset.quality = level;
    q.textContent = level ? S[level] : "";
  }
  function playVideo(video) {
    const p = video.play();
    if (p && p.catch) {
      p.catch(() => { // autoplay with sound refused: play muted and offer a tap to hear
        video.muted = true;
        video.play().catch(() => {});
        let btn = video.parentNode.querySelector(".unmute");
        if (!btn) {
          btn = document.createElement("button");
          btn.type = "button";
          btn.className = "btn secondary unmute";
          btn.textContent = S.unmuteAudio;
          btn.addEventListener("click", () => { video.muted = false; video.play().catch(() => {}); btn.remove(); });
          video.parentNode.append(btn);
        }
      });
    }
  }

  // --- waiting candidate (interviewers) -------------------------------------------------------------
  function renderWaiting() {
    const box = $("waiting-list");
    if (!box) return;
    const list = box.querySelector("ul");
    list.textContent = "";
    let any = false;
    for (const info of infos.values()) {
      if (info.role !== "candidate" || info.admitted || info.left) continue;
      any = true;
      const li = document.createElement("li");
      const name = document.createElement("strong");
      name.textContent = info.name || "";
      const label = document.createElement("span");
      label.className = "muted";
      label.textContent = " " + S.waitingAdmit + " ";
      const btn = document.createElement("button");
      btn.type = "button";
      btn.className = "btn";
      btn.dataset.action = "admit";
      btn.textContent = S.admit;
      btn.addEventListener("click", () => { btn.disabled = true; send({ type: "admit" }); });
      li.append(name, label, btn);
      list.append(li);
    }
    const note = box.querySelector(".not-yet");
    if (note) note.hidden = any;
    box.hidden = roomState === "ended" || (!any && roomState !== "waiting");
  }

  // --- quality -------------------------------------------------------------------------------------
  function levelOf(rttMs, loss) {
    if ((rttMs != null && rttMs > 800) || loss > 0.08) return "poor";
    if ((rttMs != null && rttMs > 300) || loss > 0.02) return "fair";
    return "good";
  }
  async function measure() {
    const levels = [];
    let rttSum = 0, rttN = 0, lossMax = 0, kbps = 0;
    for (const st of peers.values()) {
      if (st.pc.connectionState === "closed") continue;
      let stats;
      try { stats = await st.pc.getStats(); } catch (e) { continue; }
      let rtt = null, lost = 0, recv = 0, bytes = 0;
      stats.forEach((r) => {
        if (r.type === "candidate-pair" && r.nominated && r.state === "succeeded" && typeof r.currentRoundTripTime === "number") rtt = r.currentRoundTripTime * 1000;
        if (r.type === "inbound-rtp") { lost += Math.max(0, r.packetsLost || 0); recv += r.packetsReceived || 0; bytes += r.bytesReceived || 0; }
      });
      const now = performance.now();
      const prev = st.prev || { lost: 0, recv: 0, bytes: 0, t: now - 2000 };
      const dl = lost - prev.lost, dr = recv - prev.recv;
      const loss = dl + dr > 0 ? Math.max(0, dl) / (dl + dr) : 0;
      const rate = ((bytes - prev.bytes) * 8) / Math.max(1, now - prev.t); // kbit/s
      st.prev = { lost, recv, bytes, t: now };
      let level = levelOf(rtt, loss);
      if (st.pc.iceConnectionState === "disconnected" || st.pc.connectionState === "failed") level = "poor";
      st.localLevel = st.pc.connectionState === "connected" ? level : (st.pc.connectionState === "new" || st.pc.connectionState === "connecting" ? null : "poor");
      if (st.localLevel) levels.push(st.localLevel);
      if (rtt != null) { rttSum += rtt; rttN += 1; }
      lossMax = Math.max(lossMax, loss);
      kbps += Math.max(0, rate);
      updateTile(st.peer);
    }
    const rttMs = rttN ? rttSum / rttN : wsRtt;
    const own = levels.length ? worst(...levels) : (ws && ws.readyState === WebSocket.OPEN ? levelOf(wsRtt, 0) : "poor");
    const selfQ = $("self-quality");
    if (selfQ) { selfQ.hidden = false; selfQ.dataset.quality = own; selfQ.textContent = S[own] || ""; }
    if (joinedOnce) send({ type: "quality", rtt_ms: rttMs == null ? null : Math.round(rttMs), loss: Math.round(lossMax * 1000) / 1000, kbps: Math.round(kbps), level: own });
  }
  setInterval(() => { if (!stopped) measure(); }, 2000);

  // --- controls ------------------------------------------------------------------------------------
  function sendState() { send({ type: "state", muted, camera_off: cameraOff, screen: !!screenTrack }); }
  function forEachSender(kind, fn) {
    for (const st of peers.values()) if (st.sending[kind]) fn(st.sending[kind]);
    if (kind === "video" && serverVideo && serverPc && serverPc.signalingState !== "closed") fn(serverVideo);
  }
  function setVoiceOnly(on) {
    voiceOnly = on;
    root.dataset.voiceOnly = on ? "1" : "0";
    if (ROLE === "candidate") show("voice-only-banner", on);
    if (ROLE !== "candidate") { // interviewers keep their video: the switch is about the candidate's camera
      for (const tile of tilesBox ? tilesBox.querySelectorAll(".tile") : []) updateTile(tile.dataset.peer);
      return;
    }
    const track = outgoing("video");
    forEachSender("video", (s) => s.replaceTrack(track).catch(() => {}));
    const selfView = $("self-view");
    if (selfView) selfView.hidden = on;
  }
  const controls = $("controls");
  const btn = (action) => (controls ? controls.querySelector(`button[data-action=${action}]`) : null);
  function toggleLabel(action, on, onText, offText) {
    const b = btn(action);
    if (!b) return;
    // The label names what a press does next (静音 / 取消静音), so no aria-pressed: a changing label with a pressed
    // state reads "取消静音, pressed" to a screen reader. data-on keeps the state for the style.
    b.dataset.on = on ? "true" : "false";
    b.textContent = on ? onText : offText;
  }
  async function toggleScreen() {
    if (screenTrack) { stopScreen(); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) return;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true });
      screenTrack = stream.getVideoTracks()[0];
      screenTrack.onended = stopScreen;
      forEachSender("video", (s) => s.replaceTrack(screenTrack).catch(() => {}));
      document.dispatchEvent(new CustomEvent("hirelens:outgoing")); // janus-room.js: its publisher sends the screen
      toggleLabel("screen", true, S.stopShareBtn, S.shareBtn);
      sendState();
    } catch (e) { /* the person cancelled */ }
  }
  function stopScreen() {
    if (!screenTrack) return;
    screenTrack.onended = null;
    screenTrack.stop();
    screenTrack = null;
    forEachSender("video", (s) => s.replaceTrack(outgoing("video")).catch(() => {}));
    document.dispatchEvent(new CustomEvent("hirelens:outgoing"));
    toggleLabel("screen", false, S.stopShareBtn, S.shareBtn);
    sendState();
  }
  if (controls) {
    controls.addEventListener("click", (event) => {
      const b = event.target.closest("button[data-action]");
      if (!b) return;
      const action = b.dataset.action;
      if (action === "mute") {
        muted = !muted;
        if (audioTrack) audioTrack.enabled = !muted;
        toggleLabel("mute", muted, S.unmute, S.mute);
        sendState();
      } else if (action === "camera") {
        cameraOff = !cameraOff;
        if (videoTrack) videoTrack.enabled = !cameraOff;
        toggleLabel("camera", cameraOff, S.cameraOnBtn, S.cameraOffBtn);
        sendState();
      } else if (action === "screen") {
        toggleScreen();
      } else if (action === "leave") {
        if (!window.confirm(S.confirmLeave)) return;
        stop("");
        show("in-room", false);
        show("self-box", false);
        showStep("room-left");
      } else if (action === "end") {
        if (!window.confirm(S.confirmEnd)) return;
        send({ type: "end" });
      }
    });
  }

  function teardown() {
    for (const id of Array.from(peers.keys())) removePeer(id, true);
    if (serverPc) { try { serverPc.close(); } catch (e) { /* closed */ } serverPc = null; }
    if (localStream) localStream.getTracks().forEach((t) => t.stop());
    if (screenTrack) screenTrack.stop();
  }
  function stop(message) {
    stopped = true;
    clearTimeout(wsTimer);
    if (ws) { const sock = ws; ws = null; try { sock.close(1000); } catch (e) { /* closed */ } }
    teardown();
    if (message) showError(message);
  }
  function onEnded() {
    setState("ended");
    stop("");
    showStep("room-ended");
    show("room-left", false);
    show("in-room", false);
    show("waiting", false);
    show("waiting-list", false);
    show("step-consent", false);
    show("device-check", false);
    show("self-box", false);
    if (controls) controls.hidden = true;
    if (tilesBox) tilesBox.hidden = true;
    const notes = $("notes-form");
    if (notes) notes.hidden = true;
    const qform = $("question-form");
    if (qform) qform.hidden = true;
  }

  // --- notes (interviewers) -------------------------------------------------------------------------
  const fmtTime = (s) => {
    if (typeof s !== "number") return "";
    const total = Math.floor(s);
    return Math.floor(total / 60) + ":" + String(total % 60).padStart(2, "0");
  };
  document.querySelectorAll("[data-media-time]").forEach((el) => { el.textContent = fmtTime(parseFloat(el.dataset.mediaTime)); });
  const notesForm = $("notes-form");
  if (notesForm) {
    notesForm.addEventListener("click", (event) => {
      const tag = event.target.closest("button[data-tag]");
      if (!tag) return;
      tag.setAttribute("aria-pressed", tag.getAttribute("aria-pressed") === "true" ? "false" : "true");
    });
    notesForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = notesForm.elements.text.value.trim();
      const tags = Array.from(notesForm.querySelectorAll("button[data-tag][aria-pressed=true]")).map((b) => b.dataset.tag);
      if (!text && !tags.length) return;
      if (sendWritten({ type: "note", text, tags, media_time_s: publicApi.mediaTime() })) {
        notesForm.elements.text.value = "";
        notesForm.querySelectorAll("button[data-tag]").forEach((b) => b.setAttribute("aria-pressed", "false"));
      }
    });
  }
  function addNote(msg) {
    const list = $("notes-list");
    if (!list || list.querySelector(`li[data-note-id="${msg.id}"]`)) return;
    const li = document.createElement("li");
    li.dataset.noteId = msg.id;
    const author = document.createElement("strong");
    author.className = "author";
    author.textContent = msg.author || "";
    li.append(author);
    if (typeof msg.media_time_s === "number") {
      const at = document.createElement("span");
      at.className = "muted mt";
      at.textContent = " " + fmtTime(msg.media_time_s);
      li.append(at);
    }
    for (const t of msg.tags || []) {
      const badge = document.createElement("span");
      badge.className = "badge tag-label";
      badge.textContent = TAGS[t] || "";
      li.append(" ", badge);
    }
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = " " + (msg.text || "");
    li.append(text);
    list.append(li);
  }

  // --- questions ---------------------------------------------------------------------------------------
  const questionForm = $("question-form");
  if (questionForm) {
    questionForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = questionForm.elements.text.value.trim();
      if (text && sendWritten({ type: "question", text })) questionForm.elements.text.value = "";
    });
  }
  function answerForm(li) { // the same form as the template's
    const form = document.createElement("form");
    form.className = "answer-form";
    const area = document.createElement("textarea");
    area.name = "text";
    area.rows = 2;
    area.maxLength = 2000;
    const row = document.createElement("div");
    row.className = "inline";
    const submit = document.createElement("button");
    submit.type = "submit";
    submit.className = "btn";
    submit.textContent = S.sendAnswer;
    const voice = document.createElement("button");
    voice.type = "button";
    voice.className = "btn secondary";
    voice.dataset.byVoice = "";
    voice.textContent = S.answeredByVoice;
    row.append(submit, voice);
    form.append(area, row);
    li.append(form);
    return form;
  }
  function addQuestion(msg) {
    const list = $("questions-list");
    if (!list || list.querySelector(`li[data-question-id="${msg.id}"]`)) return;
    const li = document.createElement("li");
    li.dataset.questionId = msg.id;
    const text = document.createElement("p");
    text.className = "q-text";
    text.textContent = msg.text || "";
    const answer = document.createElement("p");
    answer.className = "answer";
    answer.hidden = true;
    li.append(text, answer);
    list.append(li);
    if (STAFF) answerForm(li);
  }
  function setAnswer(msg) {
    const li = document.querySelector(`#questions-list li[data-question-id="${msg.question}"]`);
    if (!li) return;
    const answer = li.querySelector(".answer");
    answer.textContent = msg.text || (msg.by_voice ? S.answeredByVoice : "");
    if (STAFF && msg.by) {
      const by = document.createElement("small");
      by.className = "muted";
      by.textContent = " · " + msg.by;
      answer.append(by);
    }
    answer.hidden = false;
    const form = li.querySelector("form.answer-form");
    if (form) form.hidden = true;
  }
  const questionsList = $("questions-list");
  if (questionsList && STAFF) {
    questionsList.addEventListener("submit", (event) => {
      const form = event.target.closest("form.answer-form");
      if (!form) return;
      event.preventDefault();
      const li = form.closest("li[data-question-id]");
      const text = form.elements.text.value.trim();
      if (text) sendWritten({ type: "answer", question: Number(li.dataset.questionId), text, by_voice: false });
    });
    questionsList.addEventListener("click", (event) => {
      const b = event.target.closest("button[data-by-voice]");
      if (!b) return;
      const li = b.closest("li[data-question-id]");
      const form = b.closest("form");
      sendWritten({ type: "answer", question: Number(li.dataset.questionId), text: form.elements.text.value.trim(), by_voice: true });
    });
  }

  // --- the candidate's steps: consent, device check, join -------------------------------------------
  function csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }
  let meterCtx = null;
  function startMeter() {
    const bar = $("mic-level");
    if (!bar || !audioTrack || meterCtx) return;
    try {
      meterCtx = new (window.AudioContext || window.webkitAudioContext)();
      const source = meterCtx.createMediaStreamSource(new MediaStream([audioTrack]));
      const analyser = meterCtx.createAnalyser();
      analyser.fftSize = 512;
      source.connect(analyser);
      const data = new Uint8Array(analyser.fftSize);
      const tick = () => {
        if (!meterCtx) return;
        analyser.getByteTimeDomainData(data);
        let peak = 0;
        for (let i = 0; i < data.length; i++) peak = Math.max(peak, Math.abs(data[i] - 128));
        bar.style.width = Math.min(100, Math.round((peak / 128) * 200)) + "%";
        requestAnimationFrame(tick);
      };
      meterCtx.resume().catch(() => {});
      tick();
    } catch (e) { meterCtx = null; }
  }
  function stopMeter() { if (meterCtx) { meterCtx.close().catch(() => {}); meterCtx = null; } }
  function placeSelf(slotId) { // the one preview: inside the device check, the waiting card, or floating in the room
    const box = $("self-box");
    if (!box) return;
    const slot = slotId ? $(slotId) : null;
    if (slot) { if (box.parentNode !== slot) slot.append(box); box.classList.remove("floating"); }
    else { if (box.parentNode !== root) root.append(box); box.classList.add("floating"); }
  }
  async function deviceCheck() {
    show("step-consent", false);
    showStep("device-check");
    placeSelf("device-preview");
    show("self-box", true);
    await getLocalMedia();
    startMeter();
    const advice = $("device-advice");
    if (advice) advice.textContent = !audioTrack ? S.noMic : (!videoTrack ? S.noCamera : "");
    const join = $("join-btn");
    if (join) join.disabled = false;
  }
  if (ROLE === "candidate") {
    const next = $("consent-next");
    if (next) {
      next.addEventListener("click", async () => {
        const accepted = {};
        document.querySelectorAll("input[data-consent]").forEach((box) => { accepted[box.dataset.consent] = box.checked; });
        next.disabled = true;
        const err = $("consent-error");
        try {
          const response = await fetch(root.dataset.consentUrl, { method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body: JSON.stringify({ accepted }) });
          const body = await response.json().catch(() => ({}));
          if (!response.ok) { err.textContent = body.error || S.consentFailed; err.hidden = false; return; }
          err.hidden = true;
          root.dataset.consented = "1";
          deviceCheck();
        } catch (e) {
          err.textContent = S.consentFailed;
          err.hidden = false;
        } finally {
          next.disabled = false;
        }
      });
    }
    const join = $("join-btn");
    if (join) {
      join.addEventListener("click", () => {
        join.disabled = true;
        stopMeter();
        wantJoin = true;
        show("device-check", false);
        showStep("waiting");
        placeSelf("waiting-preview");
        setStatus("reconnecting");
        if (statusEl) statusEl.hidden = false;
        connect();
      });
    }
    if (root.dataset.consented === "1") deviceCheck();
  } else {
    getLocalMedia().finally(connect);
  }
  window.addEventListener("pagehide", () => { stopped = true; if (ws) { try { ws.close(1000); } catch (e) { /* closed */ } } });

  // --- public hooks (panel, incidents, tests) ----------------------------------------------------------
  const publicApi = {
    peerId, role: ROLE, roomId: root.dataset.roomId, state: roomState,
    get janus() { return janusMode; },
    send,
    outgoingVideo() { return outgoing("video"); }, // the camera, or the shared screen (janus-room.js publishes it)
    mediaTime() { return clock ? Math.round((clock.base + (performance.now() - clock.at) / 1000) * 1000) / 1000 : null; },
    async peers() {
      if (janusMode && window.hirelensJanus) { // the Janus path's receive-only connections, named like the mesh's
        const subs = await window.hirelensJanus.peers();
        return subs.map((p) => {
          const info = infos.get(p.peer) || {};
          return { peer: p.peer, role: info.role || "", name: info.name || "", framesDecoded: p.framesDecoded, audioLevel: 0,
            totalAudioEnergy: p.totalAudioEnergy, connectionState: p.connectionState };
        });
      }
      const out = [];
      for (const st of peers.values()) {
        const info = infos.get(st.peer) || {};
        let framesDecoded = 0, audioLevel = 0, totalAudioEnergy = 0;
        try {
          const stats = await st.pc.getStats();
          stats.forEach((r) => {
            if (r.type !== "inbound-rtp") return;
            if (r.kind === "video") framesDecoded += r.framesDecoded || 0;
            if (r.kind === "audio") { audioLevel = Math.max(audioLevel, r.audioLevel || 0); totalAudioEnergy += r.totalAudioEnergy || 0; }
          });
        } catch (e) { /* closed */ }
        out.push({ peer: st.peer, role: info.role || "", name: info.name || "", framesDecoded, audioLevel, totalAudioEnergy,
          connectionState: st.pc.connectionState });
      }
      return out;
    },
  };
  window.hirelensRoom = publicApi;
})();
