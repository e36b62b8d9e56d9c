// The live room through the Janus SFU (HIRELENS_JANUS_URL set; docs/deployment.md "Live rooms: Janus SFU").
// When the room message says "janus", this page publishes its camera and microphone once to Janus and subscribes
// to the others' feeds, each in its own RTCPeerConnection, signalled through the room's WebSocket: it sends with
// window.hirelensRoom.send and reads the "hirelens:room" events room.js dispatches for every message. The browser
// never talks to Janus's API. Non-trickle like the server peer: an SDP leaves once ICE gathering is complete.
// Remote streams go into the tile room.js made for the peer (.tile[data-peer] video). room.js itself must skip its
// mesh and its server_offer when the room says "janus" (the candidate's media reach the analysis through Janus).
(function () {
  "use strict";
  const root = document.getElementById("room");
  if (!root || root.dataset.janusReady) return;
  root.dataset.janusReady = "1";
  let iceServers = [];
  try { iceServers = JSON.parse(root.dataset.iceServers || "[]"); } catch (e) { iceServers = []; }
  const config = { iceServers };

  let enabled = false;
  let voiceOnly = root.dataset.voiceOnly === "1";
  let pub = null; // {pc, seq}
  let publishing = false;
  let publishedSeq = null;
  let retryTimer = null;
  const subs = new Map(); // feed -> {feed, peer, pc, stream}

  const send = (msg) => !!(window.hirelensRoom && window.hirelensRoom.send(msg));
  const selfStream = () => { const v = document.getElementById("self-view"); return v && v.srcObject instanceof MediaStream ? v.srcObject : null; };
  // what the publisher's video sends: the camera, or the screen an interviewer shares (room.js decides)
  const outgoingVideo = (camera) => (window.hirelensRoom && window.hirelensRoom.outgoingVideo ? window.hirelensRoom.outgoingVideo() : camera);
  const isVideo = (t) => t.sender && (t.sender.track ? t.sender.track.kind === "video" : t.receiver.track && t.receiver.track.kind === "video");

  function gathered(pc) {
    return new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") { resolve(); return; }
      const done = () => { pc.removeEventListener("icegatheringstatechange", check); clearTimeout(timer); resolve(); };
      const check = () => { if (pc.iceGatheringState === "complete") done(); };
      const timer = setTimeout(done, 4000); // whatever was gathered by then
      pc.addEventListener("icegatheringstatechange", check);
    });
  }

  // --- publishing this page's camera and microphone -----------------------------------------------------
  async function publish(seq) {
    const stream = selfStream();
    if (!stream) { clearTimeout(retryTimer); retryTimer = setTimeout(() => publish(seq), 500); return; } // no camera yet
    if (publishing) return;
    publishing = true;
    if (pub) { try { pub.pc.close(); } catch (e) { /* closed */ } }
    const pc = new RTCPeerConnection(config);
    pub = { pc, seq };
    const audio = stream.getAudioTracks()[0] || null;
    const video = stream.getVideoTracks()[0] || null;
    if (audio) pc.addTransceiver(audio, { direction: "sendonly", streams: [stream] });
    if (video) pc.addTransceiver(voiceOnly ? "video" : (outgoingVideo(video) || video), { direction: "sendonly", streams: [stream] });
    pc.addEventListener("iceconnectionstatechange", () => {
      if (pub && pub.pc === pc && pc.iceConnectionState === "failed") { publishing = false; publish(seq); }
    });
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      if (pub.pc !== pc) return;
      if (!send({ type: "janus", action: "publish", sdp: pc.localDescription.sdp, audio: !!audio, video: !!video && !voiceOnly })) {
        publishing = false;
      }
    } catch (e) {
      publishing = false;
    }
  }

  async function onPublished(msg) {
    publishing = false;
    if (!pub) return;
    try { await pub.pc.setRemoteDescription({ type: "answer", sdp: msg.sdp }); } catch (e) { return; }
    publishedSeq = pub.seq;
    (msg.publishers || []).forEach(subscribe);
  }

  function setVoiceOnly(on) {
    voiceOnly = on;
    if (!pub) return;
    const stream = selfStream();
    const video = stream && stream.getVideoTracks()[0];
    pub.pc.getTransceivers().forEach((t) => {
      if (isVideo(t)) t.sender.replaceTrack(on ? null : (outgoingVideo(video) || video || null)).catch(() => {});
    });
  }
  // a screen shared or stopped (room.js): the published video follows
  document.addEventListener("hirelens:outgoing", () => {
    if (!enabled || !pub || voiceOnly) return;
    const stream = selfStream();
    const track = outgoingVideo(stream && stream.getVideoTracks()[0]);
    pub.pc.getTransceivers().forEach((t) => { if (isVideo(t) && track) t.sender.replaceTrack(track).catch(() => {}); });
  });

  // --- the others' feeds ------------------------------------------------------------------------------------
  function subscribe(p) {
    if (!p || p.feed === undefined) return;
    const old = subs.get(p.feed);
    if (old && old.pc && old.pc.connectionState !== "failed" && old.pc.connectionState !== "closed") return;
    subs.set(p.feed, { feed: p.feed, peer: p.peer, pc: null, stream: null });
    send({ type: "janus", action: "subscribe", feed: p.feed });
  }

  function attach(sub) {
    const tile = document.querySelector(`.tile[data-peer="${CSS.escape(sub.peer)}"]`);
    const video = tile && tile.querySelector("video");
    if (!video) { setTimeout(() => { if (subs.get(sub.feed) === sub) attach(sub); }, 500); return; } // room.js makes the tile
    if (video.srcObject !== sub.stream) video.srcObject = sub.stream;
    video.play().catch(() => {});
  }

  async function onOffer(msg) {
    const sub = subs.get(msg.feed) || { feed: msg.feed, peer: msg.peer };
    subs.set(msg.feed, sub);
    sub.peer = msg.peer || sub.peer;
    if (sub.pc) { try { sub.pc.close(); } catch (e) { /* closed */ } }
    const pc = new RTCPeerConnection(config);
    sub.pc = pc;
    sub.stream = new MediaStream();
    pc.addEventListener("track", (event) => { sub.stream.addTrack(event.track); attach(sub); });
    pc.addEventListener("iceconnectionstatechange", () => {
      if (sub.pc === pc && pc.iceConnectionState === "failed") { subs.delete(sub.feed); subscribe(sub); }
    });
    try {
      await pc.setRemoteDescription({ type: "offer", sdp: msg.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      if (sub.pc === pc) send({ type: "janus", action: "subscribed", feed: sub.feed, sdp: pc.localDescription.sdp });
    } catch (e) { /* the next publishers event or reconnection tries again */ }
  }

  function onLeft(msg) {
    const sub = subs.get(msg.feed);
    if (!sub) return;
    subs.delete(msg.feed);
    if (sub.pc) { try { sub.pc.close(); } catch (e) { /* closed */ } }
  }

  function closeAll() {
    clearTimeout(retryTimer);
    if (pub) { try { pub.pc.close(); } catch (e) { /* closed */ } }
    pub = null;
    publishing = false;
    publishedSeq = null;
    for (const sub of subs.values()) if (sub.pc) { try { sub.pc.close(); } catch (e) { /* closed */ } }
    subs.clear();
  }

  // --- the room's messages (dispatched by room.js) -------------------------------------------------------------
  function onRoom(msg) {
    enabled = !!msg.janus;
    if (!enabled) return;
    if (msg.state === "ended") { closeAll(); return; }
    const you = msg.you || {};
    const admitted = root.dataset.role !== "candidate" || !!msg.admitted;
    if (!admitted || !you.seq) return;
    // a new seq: this page joined again over a new WebSocket (the server's Janus session of the old one is gone)
    if (publishedSeq !== you.seq && !(publishing && pub && pub.seq === you.seq)) {
      for (const sub of subs.values()) if (sub.pc) { try { sub.pc.close(); } catch (e) { /* closed */ } }
      subs.clear();
      publishing = false;
      publish(you.seq);
    }
  }

  document.addEventListener("hirelens:room", (event) => {
    const msg = event.detail || {};
    if (msg.type === "room") { onRoom(msg); return; }
    if (!enabled) return;
    if (msg.type === "ended") { closeAll(); return; }
    if (msg.type === "voice_only") { setVoiceOnly(!!msg.on); return; }
    if (msg.type === "error" && msg.code === "janus") {
      publishing = false;
      clearTimeout(retryTimer);
      if (pub && publishedSeq !== pub.seq) { const seq = pub.seq; retryTimer = setTimeout(() => publish(seq), 2000); }
      return;
    }
    if (msg.type !== "janus") return;
    if (msg.event === "published") onPublished(msg);
    else if (msg.event === "publishers") (msg.publishers || []).forEach(subscribe);
    else if (msg.event === "offer") onOffer(msg);
    else if (msg.event === "left") onLeft(msg);
  });

  // test hook: what this page receives through Janus (as window.hirelensRoom.peers() does for the mesh)
  window.hirelensJanus = {
    get enabled() { return enabled; },
    get published() { return publishedSeq !== null; },
    async peers() {
      const out = [];
      for (const sub of subs.values()) {
        if (!sub.pc) continue;
        let framesDecoded = 0, totalAudioEnergy = 0;
        try {
          const stats = await sub.pc.getStats();
          stats.forEach((r) => {
            if (r.type !== "inbound-rtp") return;
            if (r.kind === "video") framesDecoded += r.framesDecoded || 0;
            if (r.kind === "audio") totalAudioEnergy += r.totalAudioEnergy || 0;
          });
        } catch (e) { /* closed */ }
        out.push({ feed: sub.feed, peer: sub.peer, framesDecoded, totalAudioEnergy, connectionState: sub.pc.connectionState });
      }
      return out;
    },
  };
})();
