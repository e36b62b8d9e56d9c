// The candidate's AI video interview: consent, device check, recording in chunks of a few seconds,
// resumable upload. Every chunk is kept in IndexedDB until the server has the whole answer, so a
// network drop or a reload loses nothing; uploads retry by themselves with back-off.
(function () {
  "use strict";
  const CHUNK_MS = 2000;
  const DB_NAME = "hirelens-uploads";

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("chunks", { keyPath: "key" }).createIndex("answer", "answer");
        db.createObjectStore("answers", { keyPath: "answer" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  function tx(db, store, mode, fn) {
    return new Promise((resolve, reject) => {
      const t = db.transaction(store, mode);
      const result = fn(t.objectStore(store));
      t.oncomplete = () => resolve(result && "result" in result ? result.result : result);
      t.onerror = () => reject(t.error);
    });
  }
  function all(db, store, index, value) {
    return new Promise((resolve, reject) => {
      const s = db.transaction(store).objectStore(store);
      const request = index ? s.index(index).getAll(value) : s.getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function sha256(buffer) {
    const digest = await crypto.subtle.digest("SHA-256", buffer);
    return Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  class Uploader {
    constructor(base, token, onChange) {
      this.base = base;
      this.token = token;
      this.onChange = onChange;
      this.db = null;
      this.running = false;
      this.pending = 0;
      this.offline = false;
      this.writes = Promise.resolve();  // IndexedDB writes in recording order: an answer is closed after its last piece
      window.addEventListener("online", () => this.pump());
    }
    async ready() {
      if (!this.db) this.db = await openDb();
      return this.db;
    }
    async addChunk(answer, index, offset, blob) {
      const db = await this.ready();
      const record = { key: `${answer}:${index}`, answer, index, offset, blob, sent: false, token: this.token };
      this.writes = this.writes.catch(() => {}).then(() => tx(db, "chunks", "readwrite", (s) => s.put(record)));
      await this.writes;
      this.pump();
    }
    async close(answer, total, question) {
      const db = await this.ready();
      this.writes = this.writes.catch(() => {}).then(() => tx(db, "answers", "readwrite", (s) => s.put({ answer, total, question, token: this.token })));
      await this.writes;
      this.pump();
    }
    async open(answer, question) {
      const db = await this.ready();
      await tx(db, "answers", "readwrite", (s) => s.put({ answer, total: null, question, token: this.token }));
    }
    async count() {
      const db = await this.ready();
      const chunks = (await all(db, "chunks")).filter((c) => c.token === this.token && !c.sent);
      const answers = (await all(db, "answers")).filter((a) => a.token === this.token && a.total !== null);
      return chunks.length + answers.length;
    }
    async request(url, options) {
      // Retries network failures and server errors forever with back-off; returns 2xx/4xx responses.
      let delay = 500;
      for (;;) {
        try {
          const response = await fetch(url, options);
          if (response.status < 500) {
            this.setOffline(false);
            return response;
          }
        } catch (e) {
          this.setOffline(true);
        }
        await sleep(delay);
        delay = Math.min(delay * 2, 8000);
      }
    }
    setOffline(value) {
      if (this.offline !== value) {
        this.offline = value;
        this.onChange();
      }
    }
    async pump() {
      if (this.running) return;
      this.running = true;
      try {
        const db = await this.ready();
        for (;;) {
          const chunks = (await all(db, "chunks")).filter((c) => c.token === this.token && !c.sent).sort((a, b) => a.answer - b.answer || a.index - b.index);
          this.pending = await this.count();
          this.onChange();
          if (chunks.length) {
            const chunk = chunks[0];
            const body = await chunk.blob.arrayBuffer();
            const response = await this.request(`${this.base}answers/${chunk.answer}/chunks/${chunk.index}`, {
              method: "PUT", body, headers: { "X-Chunk-Offset": String(chunk.offset), "X-Chunk-SHA256": await sha256(body) },
            });
            if (!response.ok) {
              const data = await response.json().catch(() => ({}));
              throw new Error(data.error || `HTTP ${response.status}`);
            }
            chunk.sent = true;
            await tx(db, "chunks", "readwrite", (s) => s.put(chunk));
            continue;
          }
          const closed = (await all(db, "answers")).filter((a) => a.token === this.token && a.total !== null);
          if (!closed.length) break;
          if (!(await this.finish(db, closed[0]))) await sleep(500);  // a piece is still on its way: look again
        }
      } catch (error) {
        this.onChange(error);
      } finally {
        this.running = false;
        this.pending = await this.count();
        this.onChange();
      }
    }
    async finish(db, record) {
      const chunks = (await all(db, "chunks", "answer", record.answer)).sort((a, b) => a.index - b.index);
      const whole = await new Blob(chunks.map((c) => c.blob)).arrayBuffer();
      const response = await this.request(`${this.base}answers/${record.answer}/finish`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ size: whole.byteLength, sha256: await sha256(whole) }),
      });
      const data = await response.json().catch(() => ({}));
      if (response.status === 409 && chunks.some((c) => !c.sent)) return false;
      if (response.status === 422 && data.retake) {
        // The server refused the recording as unusable (no sound, under a second, not media): nothing of it is kept,
        // the question is open again without using a retake, and the candidate is asked to record it again.
        await this.forget(db, record, chunks);
        this.onRefused && this.onRefused(record, data);
        return true;
      }
      if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
      await this.forget(db, record, chunks);
      this.onFinished && this.onFinished(record, data);
      return true;
    }
    async forget(db, record, chunks) {
      await tx(db, "answers", "readwrite", (s) => s.delete(record.answer));
      await tx(db, "chunks", "readwrite", (s) => chunks.forEach((c) => s.delete(c.key)));
    }
    async recover() {
      // After a reload: answers whose recording was cut keep what was recorded and are finished as they are.
      const db = await this.ready();
      const open = (await all(db, "answers")).filter((a) => a.token === this.token && a.total === null);
      for (const record of open) {
        const chunks = await all(db, "chunks", "answer", record.answer);
        record.total = chunks.reduce((n, c) => n + c.blob.size, 0);
        await tx(db, "answers", "readwrite", (s) => s.put(record));
      }
      const pending = await this.count();
      if (pending) this.pump();
      return pending;
    }
  }

  function pickMime(audioOnly) {
    const options = audioOnly
      ? ["audio/webm;codecs=opus", "audio/webm", "audio/mp4"]
      : ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm", "video/mp4"];
    return options.find((m) => window.MediaRecorder && MediaRecorder.isTypeSupported(m)) || "";
  }

  window.interviewFlow = function (token) {
    const strings = JSON.parse(document.getElementById("interview-strings").textContent);
    return {
      token, strings, base: `/i/${token}/`,
      state: JSON.parse(document.getElementById("interview-state").textContent),
      step: "welcome", error: "", notice: "", busy: false,
      consents: { recording: false, ai_analysis: false, biometric: false },
      stream: null, audioOnly: false, micOk: false, micLevel: 0, speedLabel: "…", deviceAdvice: "",
      qIndex: -1, phase: "prep", countdown: 0, timer: null, recorder: null, answerId: null, offset: 0, chunkIndex: 0,
      pending: 0, offline: false, retakesLeft: 0, canContinue: false, textAnswer: "",
      uploader: null, redo: [], refusal: "", resumeAt: null,

      init() {
        this.uploader = new Uploader(this.base, this.token, (error) => {
          this.pending = this.uploader.pending;
          this.offline = this.uploader.offline;
          if (error) this.error = error.message;
        });
        this.uploader.onFinished = (record, data) => {
          if (data.state) this.state = data.state;
        };
        this.uploader.onRefused = (record, data) => this.refused(record.question, data.error);
        if (this.state.state === "submitted" || this.state.state === "analysed") this.step = "done";
        else if (this.state.consented) this.step = "device";
        this.uploader.recover().then((n) => { if (n) this.notice = strings.resumed; });
        if (this.step === "device") this.$nextTick(() => this.deviceCheck());
      },
      get progress() {
        const total = this.state.questions.length || 1;
        const done = this.state.questions.filter((q, i) => (this.state.answers[String(i)] || {}).status === "complete").length;
        return Math.round((100 * done) / total);
      },
      get uploadLabel() {
        if (this.offline) return strings.offline;
        return this.pending ? `${strings.uploading} (${this.pending})` : strings.uploaded;
      },
      get questionText() {
        return this.qIndex < 0 ? this.state.practice : (this.state.questions[this.qIndex] || {}).text;
      },
      get phaseLabel() {
        return { prep: strings.prep, recording: strings.recording, uploading: strings.uploadingPhase, done: strings.donePhase }[this.phase] || "";
      },
      async api(path, body) {
        // The same retrying request as the uploads: a busy server (503) or a dropped network is waited out.
        const response = await this.uploader.request(this.base + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
        const data = await response.json().catch(() => ({}));
        if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
        return data;
      },
      go(step) { this.error = ""; this.step = step; },
      async saveConsent() {
        this.busy = true;
        try {
          this.state = await this.api("consent", this.consents);
          this.go("device");
          this.$nextTick(() => this.deviceCheck());
        } catch (e) { this.error = e.message; } finally { this.busy = false; }
      },
      async deviceCheck() {
        if (!window.MediaRecorder) { this.error = strings.noRecorder; return; }
        try {
          this.stream = await navigator.mediaDevices.getUserMedia(this.audioOnly ? { audio: true } : { audio: true, video: { width: 640, height: 480 } });
        } catch (e) {
          if (!this.audioOnly) { this.deviceAdvice = strings.camFailed; return this.useAudioOnly(); }
          this.error = strings.micFailed; return;
        }
        if (this.$refs.preview && !this.audioOnly) this.$refs.preview.srcObject = this.stream;
        this.meter();
        this.speedTest();
      },
      useAudioOnly() {
        this.audioOnly = true;
        if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
        this.stream = null;
        this.deviceCheck();
      },
      meter() {
        const context = new (window.AudioContext || window.webkitAudioContext)();
        const analyser = context.createAnalyser();
        context.createMediaStreamSource(this.stream).connect(analyser);
        const data = new Uint8Array(analyser.fftSize);
        const tick = () => {
          analyser.getByteTimeDomainData(data);
          let sum = 0;
          for (const v of data) sum += ((v - 128) / 128) ** 2;
          this.micLevel = Math.min(100, Math.round(Math.sqrt(sum / data.length) * 400));
          if (this.micLevel > 2) this.micOk = true;
          if (this.step === "device") requestAnimationFrame(tick);
        };
        this.micOk = this.stream.getAudioTracks().length > 0;
        tick();
      },
      async speedTest() {
        const payload = new Uint8Array(512 * 1024);
        crypto.getRandomValues(payload.subarray(0, 65536));
        const started = performance.now();
        try {
          await fetch(this.base + "speedtest", { method: "POST", body: payload });
          const mbps = (payload.length * 8) / ((performance.now() - started) / 1000) / 1e6;
          this.speedLabel = `${mbps.toFixed(1)} Mbit/s`;
          if (mbps < 1) this.deviceAdvice = strings.slow;
        } catch (e) { this.speedLabel = "—"; this.deviceAdvice = strings.offline; }
      },
      async startInterview() {
        this.busy = true;
        try {
          this.state = await this.api("start", { audio_only: this.audioOnly });
          this.step = "question";
          this.qIndex = this.state.practice ? -1 : this.firstOpen();
          this.$nextTick(() => { if (this.$refs.live && this.stream && !this.audioOnly) this.$refs.live.srcObject = this.stream; });
          this.prepare();
        } catch (e) { this.error = e.message; } finally { this.busy = false; }
      },
      firstOpen() {
        const i = this.state.questions.findIndex((q, n) => (this.state.answers[String(n)] || {}).status !== "complete");
        return i < 0 ? this.state.questions.length : i;
      },
      limits() {
        if (this.qIndex < 0) return { prep: 30, answer: 60 };
        const q = this.state.questions[this.qIndex];
        return { prep: q.prep_s + (this.state.extra_prep_s || 0), answer: q.answer_s };
      },
      prepare() {
        if (this.qIndex >= this.state.questions.length) {
          if (this.redo.length) return this.redoNext();
          this.step = "review"; return;
        }
        this.error = ""; this.phase = "prep"; this.canContinue = false; this.textAnswer = "";
        this.countDown(this.limits().prep, () => this.startRecording());
      },
      countDown(seconds, done) {
        clearInterval(this.timer);
        this.countdown = seconds;
        this.timer = setInterval(() => {
          this.countdown -= 1;
          if (this.countdown <= 0) { clearInterval(this.timer); done(); }
        }, 1000);
      },
      async startRecording(technical) {
        if (this.phase === "recording") return;
        clearInterval(this.timer);
        const mime = pickMime(this.audioOnly);
        try {
          const data = await this.api("answers", { question: this.qIndex, kind: this.audioOnly ? "audio" : "video", mime, technical: !!technical });
          this.answerId = data.answer;
          this.offset = data.chunks.reduce((n, c) => n + c[2], 0);
          this.chunkIndex = data.chunks.length;
        } catch (e) { this.error = e.message; this.phase = "failed"; return; }
        await this.uploader.open(this.answerId, this.qIndex);
        this.recorder = new MediaRecorder(this.stream, mime ? { mimeType: mime } : undefined);
        const answer = this.answerId;
        this.recorder.ondataavailable = (event) => {
          if (!event.data || !event.data.size) return;
          this.uploader.addChunk(answer, this.chunkIndex++, this.offset, event.data);
          this.offset += event.data.size;
        };
        this.recorder.onstop = () => {
          // ondataavailable for the last piece fires before onstop
          const question = this.qIndex;
          setTimeout(() => this.uploader.close(answer, this.offset, question), 0);
          this.afterAnswer();  // the upload goes on in the background; the candidate may continue
        };
        this.recorder.onerror = () => { this.phase = "failed"; };
        this.recorder.start(CHUNK_MS);
        this.phase = "recording";
        this.countDown(this.limits().answer, () => this.stopRecording());
      },
      stopRecording() {
        clearInterval(this.timer);
        if (this.recorder && this.recorder.state !== "inactive") this.recorder.stop();
      },
      afterAnswer() {
        this.phase = "done";
        this.canContinue = true;
        // this answer will use one of the question's takes
        this.retakesLeft = this.qIndex < 0 ? 1 : Math.max(0, this.state.questions[this.qIndex].retakes_left - 1);
      },
      retake(technical) {
        this.phase = "prep";
        this.startRecording(technical);
      },
      async sendText() {
        try {
          this.state = await this.api("answers/text", { question: this.qIndex, text: this.textAnswer });
          this.next();
        } catch (e) { this.error = e.message; }
      },
      refused(question, message) {
        // An answer the server could not use: tell the candidate, and go back to that question now, or as soon as
        // the answer being recorded is done (never cut a recording short).
        if (this.state.answers[String(question)]) delete this.state.answers[String(question)];
        if (!this.redo.includes(question)) this.redo.push(question);
        this.refusal = message;
        if (this.step === "done" || this.phase === "recording") return;
        this.redoNext();
      },
      redoNext() {
        if (this.resumeAt === null) {
          // where the candidate was: back there once the refused answers are recorded again
          this.resumeAt = this.step === "review" ? this.state.questions.length
            : (this.phase === "done" ? this.qIndex + 1 : Math.max(this.qIndex, 0));
        }
        const question = this.redo.shift();
        this.step = "question";
        this.qIndex = question;
        this.prepare();
        this.error = this.refusal;  // prepare() clears errors: the reason stays on screen while the candidate prepares
      },
      next() {
        if (this.redo.length) return this.redoNext();
        if (this.resumeAt !== null) {
          this.qIndex = this.resumeAt;
          this.resumeAt = null;
        } else {
          this.qIndex = this.qIndex < 0 ? this.firstOpen() : this.qIndex + 1;
        }
        this.prepare();
      },
      async submit() {
        this.busy = true;
        try {
          this.state = await this.api("submit");
          this.step = "done";
          if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
        } catch (e) { this.error = e.message; } finally { this.busy = false; }
      },
    };
  };
})();
// The CSP build of Alpine reaches no globals from x-data: the component is registered by name.
document.addEventListener("alpine:init", () => window.Alpine.data("interviewFlow", window.interviewFlow));
