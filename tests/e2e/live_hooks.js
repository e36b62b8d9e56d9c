// Measuring hooks for the live-room test and bench, added to a page with Playwright's add_init_script (through the
// DevTools protocol, before the page's own scripts; not governed by the page's Content-Security-Policy).
// window.__hlBench:
//   onsets: wall times (Date.now(), ms) at which the microphone track sent to the peers went from silence to sound
//           (the fake capture file has digital silence between its clips, so the first sample over 0.01 is the onset);
//   gum:    wall times at which getUserMedia returned a stream;
//   ws:     every WebSocket message received ({at: Date.now(), m: parsed JSON}), for the panel's events and their words;
//   frames: [wall ms, frame number read from the marker along the bottom of the fake camera's picture], sampled.
(() => {
  if (window.__hlBench) return;
  const rec = { onsets: [], gum: [], ws: [], frames: [], audioOn: false, levels: 0 };
  window.__hlBench = rec;

  const NativeWS = window.WebSocket;
  function HookedWS(url, protocols) {
    const ws = protocols === undefined ? new NativeWS(url) : new NativeWS(url, protocols);
    ws.addEventListener("message", (event) => {
      const at = Date.now();
      try { rec.ws.push({ at, m: JSON.parse(event.data) }); } catch (e) { /* not JSON */ }
    });
    return ws;
  }
  HookedWS.prototype = NativeWS.prototype;
  for (const key of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) HookedWS[key] = NativeWS[key];
  window.WebSocket = HookedWS;

  // The microphone track actually sent (to a peer connection) is watched, through a clone (same source, same
  // position in the looping file); a different track sent later replaces the watcher.
  function watchAudio(track) {
    if (!track || track.kind !== "audio" || rec.watched === track.id) return;
    rec.watched = track.id;
    if (rec.audioContext) rec.audioContext.close();
    const ctx = new AudioContext();
    const source = ctx.createMediaStreamSource(new MediaStream([track.clone()]));
    const node = ctx.createScriptProcessor(256, 1, 1);
    const mute = ctx.createGain();
    mute.gain.value = 0;
    let quiet = 0;
    let sounding = false;
    const id = track.id;
    node.onaudioprocess = (event) => {
      if (rec.watched !== id) return;
      const x = event.inputBuffer.getChannelData(0);
      let first = -1;
      for (let i = 0; i < x.length; i++) if (Math.abs(x[i]) > 0.01) { first = i; break; }
      if (first >= 0) {
        rec.levels++;
        if (!sounding && quiet > 0.5 * ctx.sampleRate) {
          // the buffer was captured about one buffer before this callback: date the onset sample inside it
          rec.onsets.push(Date.now() - ((x.length - first) / ctx.sampleRate) * 1000);
        }
        sounding = true;
        quiet = 0;
      } else {
        quiet += x.length;
        if (quiet > 0.5 * ctx.sampleRate) sounding = false;
      }
    };
    source.connect(node);
    node.connect(mute);
    mute.connect(ctx.destination);
    rec.audioContext = ctx;
  }
  const safely = (track) => { try { watchAudio(track); } catch (e) { rec.audioError = String(e); } };

  if (window.RTCPeerConnection) {
    // every peer connection of the page, for the diagnosis: its state and what it sent and received
    const NativePC = window.RTCPeerConnection;
    rec.pcs = [];
    window.RTCPeerConnection = function (...args) {
      const pc = new NativePC(...args);
      rec.pcs.push(pc);
      return pc;
    };
    window.RTCPeerConnection.prototype = NativePC.prototype;
    window.RTCPeerConnection.generateCertificate = NativePC.generateCertificate;
    rec.pcStates = async () => Promise.all(rec.pcs.map(async (pc) => {
      const out = { state: pc.connectionState, ice: pc.iceConnectionState, signaling: pc.signalingState,
        server: !!(pc.remoteDescription && /aiortc|o=- \d+ \d+ IN IP4 0\.0\.0\.0/.test(pc.remoteDescription.sdp)), sent: 0, received: 0 };
      if (pc.connectionState === "closed") return out;
      (await pc.getStats()).forEach((r) => {
        if (r.type === "outbound-rtp") out.sent += r.bytesSent || 0;
        if (r.type === "inbound-rtp") out.received += r.bytesReceived || 0;
      });
      return out;
    }));
    const proto = NativePC.prototype;
    const addTrack = proto.addTrack;
    proto.addTrack = function (track, ...streams) { safely(track); return addTrack.call(this, track, ...streams); };
    const addTransceiver = proto.addTransceiver;
    proto.addTransceiver = function (what, init) {
      if (what && typeof what === "object") safely(what);
      return addTransceiver.call(this, what, init);
    };
  }
  if (window.RTCRtpSender && window.RTCRtpSender.prototype.replaceTrack) {
    const replaceTrack = window.RTCRtpSender.prototype.replaceTrack;
    window.RTCRtpSender.prototype.replaceTrack = function (track) { safely(track); return replaceTrack.call(this, track); };
  }
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await gum(constraints);
      rec.gum.push(Date.now());
      return stream;
    };
  }

  // read the frame number of the fake camera's picture in a <video> (bits along the bottom edge, 16 px each)
  rec.watchVideo = (video, bits = 9) => {
    const canvas = document.createElement("canvas");
    const g = canvas.getContext("2d", { willReadFrequently: true });
    const step = () => {
      if (video.videoWidth) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        g.drawImage(video, 0, 0);
        const row = g.getImageData(0, canvas.height - 4, bits * 16, 1).data;
        let n = 0;
        for (let b = 0; b < bits; b++) if (row[(b * 16 + 8) * 4] > 128) n |= 1 << b;
        rec.frames.push([Date.now(), n]);
      }
      if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(step);
      else setTimeout(step, 30);
    };
    step();
  };

  rec.summary = () => ({ onsets: rec.onsets, gum: rec.gum, frames: rec.frames.length, lastFrame: rec.frames[rec.frames.length - 1],
    levels: rec.levels, audioError: rec.audioError || null, ws: rec.ws.length });
})();
