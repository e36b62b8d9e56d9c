// The candidate's AI video interview: consent, device check, recording in chunks of a few seconds,
// resumable upload. Every chunk is kept in IndexedDB until the server has the whole answer, so a
// network drop or a reload loses nothing; uploads retry by themselves with back-off.
//
// Interruptions are free (issue 19). The server's state is the truth: an answer still "recording" that this page did
// not start is a take whose page went away (reload, language switch, closed tab, crash). The page that finds it goes
// back to that question and offers "continue recording" (a new part of the same take, joined on the server at
// finish; while answer time is left), "keep what was recorded" or "record again" (a technical retake: never a
// retake); its pieces keep uploading meanwhile. See docs/architecture.md, "Interrupted takes".
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
      this.dropped = new Set();  // answers given up (recorded again): their pieces are neither sent nor finished
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
    async close(answer, total, question, serverHeld) {
      // serverHeld: this browser holds only the pieces it recorded itself (a take continued here after another
      // browser's part): the answer is finished with what the server holds once every piece here is sent
      const db = await this.ready();
      const record = { answer, total, question, token: this.token, serverHeld: !!serverHeld };
      this.writes = this.writes.catch(() => {}).then(() => tx(db, "answers", "readwrite", (s) => s.put(record)));
      await this.writes;
      this.pump();
    }
    async open(answer, question, serverHeld) {
      const db = await this.ready();
      await tx(db, "answers", "readwrite", (s) => s.put({ answer, total: null, question, token: this.token, serverHeld: !!serverHeld }));
    }
    async flush(answer) {
      // every piece of this answer that this browser holds is on the server (before a take is continued)
      // (false: the pump stopped on a refusal and nothing moves any more; a dropped network is waited out)
      const db = await this.ready();
      let last = -1, still = 0;
      for (;;) {
        const unsent = (await all(db, "chunks", "answer", answer)).filter((c) => !c.sent).length;
        if (!unsent && !this.running) return true;
        if (unsent === last && !this.running) { if (++still > 5) return false; } else if (unsent !== last) still = 0;
        last = unsent;
        this.pump();
        await sleep(300);
      }
    }
    async local(answer) {
      const db = await this.ready();
      const chunks = await all(db, "chunks", "answer", answer);
      return { chunks: chunks.length, bytes: chunks.reduce((n, c) => n + c.blob.size, 0) };
    }
    async forgetPieces(answer) {
      // pieces of an earlier part that the server already holds and this browser only partly: the server's are used
      const db = await this.ready();
      const chunks = await all(db, "chunks", "answer", answer);
      await tx(db, "chunks", "readwrite", (s) => chunks.forEach((c) => s.delete(c.key)));
    }
    async count() {
      const db = await this.ready();
      const chunks = (await all(db, "chunks")).filter((c) => c.token === this.token && !c.sent && !this.dropped.has(c.answer));
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
          const chunks = (await all(db, "chunks")).filter((c) => c.token === this.token && !c.sent && !this.dropped.has(c.answer)).sort((a, b) => a.answer - b.answer || a.index - b.index);
          this.pending = await this.count();
          this.onChange();
          if (chunks.length) {
            const chunk = chunks[0];
            const body = await chunk.blob.arrayBuffer();
            const response = await this.request(`${this.base}answers/${chunk.answer}/chunks/${chunk.index}`, {
              method: "PUT", body, headers: { "X-Chunk-Offset": String(chunk.offset), "X-Chunk-SHA256": await sha256(body) },
            });
            if (!response.ok && this.dropped.has(chunk.answer)) continue;  // given up while it was on its way
            if (!response.ok) throw refusal(response, await response.json().catch(() => ({})));
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
      let body = {};
      if (!record.serverHeld) {
        const whole = await new Blob(chunks.map((c) => c.blob)).arrayBuffer();
        body = { size: whole.byteLength, sha256: await sha256(whole) };
      } else if (chunks.some((c) => !c.sent)) return false;
      const response = await this.request(`${this.base}answers/${record.answer}/finish`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
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
      if (!response.ok) throw refusal(response, data);
      await this.forget(db, record, chunks);
      this.onFinished && this.onFinished(record, data);
      return true;
    }
    async forget(db, record, chunks) {
      await tx(db, "answers", "readwrite", (s) => s.delete(record.answer));
      await tx(db, "chunks", "readwrite", (s) => chunks.forEach((c) => s.delete(c.key)));
    }
    async recover() {
      // After a reload: what this browser still holds. Closed answers (recorded to the end) finish uploading by
      // themselves; open ones (the recording was cut) keep uploading their pieces and wait for the candidate's choice.
      const db = await this.ready();
      const records = (await all(db, "answers")).filter((a) => a.token === this.token);
      const closed = new Set(), open = new Map();
      for (const record of records) {
        if (record.total !== null) { closed.add(record.answer); continue; }
        const chunks = await all(db, "chunks", "answer", record.answer);
        open.set(record.answer, { chunks: chunks.length, bytes: chunks.reduce((n, c) => n + c.blob.size, 0), question: record.question });
      }
      const pending = await this.count();
      if (pending) this.pump();
      return { closed, open, pending };
    }
    async keep(answer, question) {
      // The candidate keeps an interrupted take: close it with what this browser recorded; the pump finishes it.
      const db = await this.ready();
      const chunks = await all(db, "chunks", "answer", answer);
      await this.close(answer, chunks.reduce((n, c) => n + c.blob.size, 0), question);
    }
    async drop(answer) {
      // An interrupted take recorded again: its pieces here are of no use any more.
      this.dropped.add(answer);
      const db = await this.ready();
      const chunks = await all(db, "chunks", "answer", answer);
      await this.forget(db, { answer }, chunks);
      this.pending = await this.count();
      this.onChange();
    }
  }

  function refusal(response, data) {
    // A 4xx the server answered (never retried): its words, its status; a 410 is a link that stopped working
    // (expired, withdrawn) or an interview already submitted, and the page then offers to reload (the dead-link page
    // explains it and offers "ask for a new link").
    const error = new Error(data.error || `HTTP ${response.status}`);
    error.data = data;
    error.status = response.status;
    return error;
  }

  function pickMime(audioOnly) {
    const options = audioOnly
      ? ["audio/webm;codecs=opus", "audio/webm", "audio/mp4"]
      : ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm", "video/mp4"];
    return options.find((m) => window.MediaRecorder && MediaRecorder.isTypeSupported(m)) || "";
  }
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (m, key) => String(values[key]));
  const MIC_THRESHOLD = 2;   // meter level (0-100) that counts as sound
  const MIC_SILENT_MS = 5000;  // no sound for this long: the device check says so and does not pass
  const CONTINUE_PREP_S = 5;  // a continued take gets a short preparation before the recording goes on

  window.interviewFlow = function (token) {
    const strings = JSON.parse(document.getElementById("interview-strings").textContent);
    return {
      token, strings, base: `/i/${token}/`,
      state: JSON.parse(document.getElementById("interview-state").textContent),
      step: "", error: "", notice: "", busy: false, announcement: "", announced: [],
      consents: { recording: false, ai_analysis: false, biometric: false },
      stream: null, audioOnly: false, micOk: false, micLevel: 0, speedLabel: "…", deviceAdvice: "", micAdvice: "",
      qIndex: -1, phase: "prep", countdown: 0, timer: null, recorder: null, answerId: null, offset: 0, chunkIndex: 0,
      pending: 0, offline: false, canContinue: false, textAnswer: "", technicalNext: false,
      uploader: null, redo: [], refusal: "", resumeAt: null, local: { closed: new Set(), open: new Map() },
      recordedS: 0, recordingStarted: 0, lastAnswer: null, interrupted: null, offlineSince: 0, recordedAny: false,
      continuing: null, recordedBefore: 0, recordLimit: 0, helpBase: "", linkClosed: false, practiceSkipped: false,

      async init() {
        this.helpBase = this.$el.dataset.helpUrl || "";
        this.uploader = new Uploader(this.base, this.token, (error) => {
          this.pending = this.uploader.pending;
          this.netChange(this.uploader.offline || !navigator.onLine);
          if (error) { this.error = error.message; if (error.status === 410) this.linkClosed = true; }
        });
        this.uploader.onFinished = (record, data) => {
          if (data.state) this.state = data.state;
        };
        this.uploader.onRefused = (record, data) => this.refused(record.question, data.error);
        window.addEventListener("offline", () => this.netChange(true));
        window.addEventListener("online", () => this.netChange(this.uploader.offline));
        this.$watch("uploadPhase", (value, old) => {
          // upload states are announced as they change, except the chatter of pieces while a take is recorded
          if (old === undefined || !value || (this.phase === "recording" && value !== strings.offline && old !== strings.offline)) return;
          this.announce(value);
        });
        if (this.state.state === "submitted" || this.state.state === "analysed") return this.show("done");
        // the practice (key "-1") is not kept: "all uploaded" speaks of scored answers only
        this.recordedAny = Object.keys(this.state.answers).some((k) => k !== "-1");
        this.local = await this.uploader.recover();
        if (this.local.pending) this.recordedAny = true;
        if (!this.state.consented) return this.show("welcome");
        if (this.state.state === "invited") { this.show("device"); return this.$nextTick(() => this.deviceCheck()); }
        return this.resume();
      },
      // --- words, announcements, focus ---
      get progress() {
        const total = this.state.questions.length || 1;
        return Math.round((100 * this.answeredCount) / total);
      },
      get answeredCount() {
        return this.state.questions.filter((q, i) => (this.state.answers[String(i)] || {}).status === "complete").length;
      },
      get progressText() {
        return fill(strings.progress, { done: this.answeredCount, total: this.state.questions.length });
      },
      get uploadPhase() {
        if (this.offline) return strings.offline;
        if (this.pending) return strings.uploading;
        return this.recordedAny ? strings.uploaded : "";
      },
      get uploadLabel() {
        if (this.offline) return strings.offline;
        if (this.phase === "recording") return this.qIndex < 0 ? "" : strings.savingAsRecorded;  // never "all uploaded" while a take goes on; the practice is not kept
        if (this.pending) return `${strings.uploading} (${this.pending})`;
        return this.recordedAny ? strings.uploaded : "";  // nothing recorded yet: nothing to say
      },
      get helpHref() {
        // the help desk's link with the step the candidate is on (HR reads it in words: 答题 · 第 2 题)
        const base = this.$root.dataset.helpUrl || "";
        const step = this.step === "question" ? (this.qIndex < 0 ? "practice" : `question:${this.qIndex + 1}`) : this.step;
        return base + (base.includes("?") ? "&" : "?") + "step=" + encodeURIComponent(step);
      },
      get questionText() {
        return this.qIndex < 0 ? this.state.practice : (this.state.questions[this.qIndex] || {}).text;
      },
      get questionLabel() {
        return this.qIndex < 0 ? strings.practiceLabel : fill(strings.questionOf, { n: this.qIndex + 1, total: this.state.questions.length });
      },
      get phaseLabel() {
        return { prep: strings.prep, recording: strings.recording }[this.phase] || "";
      },
      get counting() { return this.phase === "prep" || this.phase === "recording"; },
      get doneLabel() {
        const answer = this.state.answers[String(this.qIndex)] || {};
        const saved = answer.status === "complete" && answer.id === this.lastAnswer;
        if (this.qIndex < 0) return fill(saved ? strings.practiceChecked : strings.practiceChecking, { s: this.recordedS });
        return fill(saved ? strings.recordedSaved : strings.recordedSaving, { s: this.recordedS });
      },
      get nextLabel() {
        // where "next" goes, in words: from the practice to the real questions, from the last question to submitting
        if (this.qIndex < 0) return strings.toQuestions;
        const to = this.redo.length ? this.redo[0] : (this.resumeAt !== null ? this.resumeAt : this.qIndex + 1);
        return to >= this.state.questions.length ? strings.toReview : strings.nextQuestion;
      },
      get interruptedLabel() {
        return this.interrupted ? fill(this.interrupted.chunks ? strings.interruptedKept : strings.interruptedNothing,
          { s: this.interrupted.recordedS }) : "";
      },
      get canKeep() { return this.phase === "interrupted" && !!this.interrupted && this.interrupted.chunks > 0; },
      get continueNote() {
        return this.continuing ? fill(strings.continueNote, { left: this.continuing.remaining }) : "";
      },
      get canContinueTake() {
        // time left on the answer and a recorder that writes WebM (parts are joined by copying, not re-encoding)
        if (!this.canKeep || !/webm/.test(pickMime(this.audioOnly))) return false;
        return this.interrupted.recordedS < this.limits().answer - 3;
      },
      get canRetake() {
        const answer = this.state.answers[String(this.qIndex)] || {};
        if (this.phase !== "done" || answer.status !== "complete" || answer.id !== this.lastAnswer) return false;
        return this.qIndex < 0 || this.retakesLeft > 0;
      },
      get retakesLeft() {
        return this.qIndex < 0 ? 1 : (this.state.questions[this.qIndex] || {}).retakes_left || 0;
      },
      announce(text) {
        // a polite live region, cleared first so that the same words are read again
        this.announced = [...this.announced.slice(-19), text];
        this.announcement = "";
        setTimeout(() => { this.announcement = text; }, 50);
      },
      show(step) {
        this.error = "";
        this.step = step;
        this.focusHeading();
      },
      focusHeading() {
        this.focusWhenShown(() => `[data-testid=step-${this.step}] h1`);
      },
      focusWhenShown(selector) {
        // once it is shown (x-show may apply after a larger update, e.g. a new state), the element takes the focus
        let tries = 0;
        const attempt = () => {
          const element = document.querySelector(selector());
          if (element && element.offsetParent !== null) return element.focus();
          if (tries++ < 40) setTimeout(attempt, 25);
        };
        this.$nextTick(attempt);
      },
      lockLanguage(locked) {
        // switching the language reloads the page: not while a take is being recorded
        document.querySelectorAll("form.lang button").forEach((button) => {
          button.disabled = locked;
          if (locked) button.title = strings.langLocked; else button.removeAttribute("title");
        });
      },
      netChange(offline) {
        if (this.offline === offline) return;
        this.offline = offline;
        if (offline && this.phase === "recording") {
          this.offlineSince = Date.now();
          this.offlineAnswer = this.answerId;
          this.offlineAt = this.elapsed();
        } else if (!offline && this.offlineSince) {
          // the recording went on; HR still sees that the network dropped during this take
          const body = { kind: "offline", recorded_s: this.offlineAt, offline_s: (Date.now() - this.offlineSince) / 1000 };
          const answer = this.offlineAnswer;
          this.offlineSince = 0;
          this.api(`answers/${answer}/interruption`, body).catch(() => {});
        }
      },
      elapsed() { return this.recordingStarted ? Math.round((Date.now() - this.recordingStarted) / 1000) : 0; },
      async api(path, body) {
        // The same retrying request as the uploads: a busy server (503) or a dropped network is waited out.
        const response = await this.uploader.request(this.base + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
        const data = await response.json().catch(() => ({}));
        if (response.status === 410) this.linkClosed = true;
        if (!response.ok) throw refusal(response, data);
        return data;
      },
      go(step) { this.show(step); },
      // --- consent and device check ---
      async saveConsent() {
        this.busy = true;
        try {
          this.state = await this.api("consent", this.consents);
          this.show("device");
          this.$nextTick(() => this.deviceCheck());
        } catch (e) { this.error = e.message; } finally { this.busy = false; }
      },
      async acquire() {
        this.stream = await navigator.mediaDevices.getUserMedia(this.audioOnly ? { audio: true } : { audio: true, video: { width: 640, height: 480 } });
        return this.stream;
      },
      async deviceCheck() {
        if (!window.MediaRecorder) { this.error = strings.noRecorder; return; }
        try {
          await this.acquire();
        } catch (e) {
          if (!this.audioOnly) { this.useAudioOnly(); this.deviceAdvice = strings.camFailed; return; }
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
        // The microphone passes only once it has been heard: a muted or silent microphone is refused with a hint.
        const context = new (window.AudioContext || window.webkitAudioContext)();
        const analyser = context.createAnalyser();
        context.createMediaStreamSource(this.stream).connect(analyser);
        const data = new Uint8Array(analyser.fftSize);
        const started = performance.now();
        this.micOk = false;
        this.micAdvice = "";
        const tick = () => {
          analyser.getByteTimeDomainData(data);
          let sum = 0;
          for (const v of data) sum += ((v - 128) / 128) ** 2;
          this.micLevel = Math.min(100, Math.round(Math.sqrt(sum / data.length) * 400));
          if (this.micLevel > MIC_THRESHOLD && !this.micOk) { this.micOk = true; this.micAdvice = ""; this.announce(strings.micHeard); }
          if (!this.micOk && !this.micAdvice && performance.now() - started > MIC_SILENT_MS) { this.micAdvice = strings.micSilent; }
          if (this.step === "device") requestAnimationFrame(tick); else context.close();
        };
        tick();
      },
      async speedTest() {
        const payload = new Uint8Array(512 * 1024);
        crypto.getRandomValues(payload.subarray(0, 65536));
        const started = performance.now();
        try {
          await fetch(this.base + "speedtest", { method: "POST", body: payload });
          const mbps = (payload.length * 8) / ((performance.now() - started) / 1000) / 1e6;
          this.speedLabel = fill(strings.speed, { word: mbps < 1 ? strings.speedSlow : strings.speedGood, mbps: mbps.toFixed(1) });
          if (mbps < 1) this.deviceAdvice = strings.slow;
        } catch (e) { this.speedLabel = "—"; this.deviceAdvice = strings.offline; }
      },
      async startInterview(skipPractice) {
        this.busy = true;
        try {
          this.state = await this.api("start", { audio_only: this.audioOnly });
          if (skipPractice) this.rememberPracticeSkipped();
          this.enterQuestions(this.practiceDone() ? this.firstOpen() : -1);
        } catch (e) { this.error = e.message; } finally { this.busy = false; }
      },
      // The practice is optional: skipped from the device check or from its own preparation. The choice is kept in
      // this tab (sessionStorage), so a reload does not ask it again; once a question is answered it is never asked.
      get practiceOffered() {
        return !!this.state.practice && !this.practiceDone();
      },
      rememberPracticeSkipped() {
        try { sessionStorage.setItem(`hirelens-practice-skipped:${this.token}`, "1"); } catch (e) { /* private mode */ }
        this.practiceSkipped = true;
      },
      skipPractice() {
        clearInterval(this.timer);
        this.rememberPracticeSkipped();
        this.enterQuestions(this.firstOpen());
      },
      // --- where the candidate is: the server's state, and what this browser still uploads ---
      answered(i) {
        const answer = this.state.answers[String(i)];
        return !!answer && (answer.status === "complete" || this.local.closed.has(answer.id));
      },
      practiceDone() {
        if (!this.practiceSkipped) {
          try { this.practiceSkipped = sessionStorage.getItem(`hirelens-practice-skipped:${this.token}`) === "1"; } catch (e) { /* private mode */ }
        }
        return !this.state.practice || this.practiceSkipped || this.answered(-1)
          || this.state.questions.some((q, i) => this.state.answers[String(i)]);
      },
      firstOpen() {
        const i = this.state.questions.findIndex((q, n) => !this.answered(n));
        return i < 0 ? this.state.questions.length : i;
      },
      async resume() {
        // Back after a reload, a language switch, a closed tab or a crash: straight to where the candidate was.
        this.audioOnly = !!this.state.audio_only;
        try {
          await this.acquire();
        } catch (e) {
          this.show("device");
          return this.$nextTick(() => this.deviceCheck());
        }
        this.enterQuestions(this.practiceDone() ? this.firstOpen() : -1);
      },
      enterQuestions(index) {
        this.qIndex = index;
        this.step = "question";
        this.$nextTick(() => { if (this.$refs.live && this.stream && !this.audioOnly) this.$refs.live.srcObject = this.stream; });
        const answer = this.state.answers[String(index)];
        if (index < this.state.questions.length && answer && answer.status === "recording" && !answer.refused
            && !this.local.closed.has(answer.id)) return this.offerInterrupted(answer);
        if (answer && answer.refused && !this.local.closed.has(answer.id)) {
          this.prepare();
          this.error = answer.refused_message || strings.refusedAgain;
          return;
        }
        this.prepare();
      },
      offerInterrupted(answer) {
        const local = this.local.open.get(answer.id) || { chunks: 0, bytes: 0 };
        const chunks = Math.max(local.chunks, answer.chunks);
        const recordedS = chunks * (this.state.chunk_s || 2);
        this.interrupted = { answer: answer.id, chunks, local: local.chunks >= answer.chunks && local.chunks > 0, recordedS };
        this.phase = "interrupted";
        clearInterval(this.timer);
        this.focusHeading();
        this.announce(this.interruptedLabel);
        this.api(`answers/${answer.id}/interruption`, { kind: "page", recorded_s: recordedS }).catch(() => {});
      },
      async keepInterrupted() {
        const take = this.interrupted;
        this.busy = true;
        try {
          await this.api(`answers/${take.answer}/keep`);
          this.lastAnswer = take.answer;
          this.recordedS = take.recordedS;
          this.recordedAny = true;
          if (take.local) {
            await this.uploader.keep(take.answer, this.qIndex);
          } else {
            // this browser does not hold the recording (another browser, cleared data): keep what the server holds,
            // after sending what pieces it does hold (a part recorded here after another browser's)
            await this.uploader.flush(take.answer);
            await this.uploader.drop(take.answer);
            try {
              const data = await this.api(`answers/${take.answer}/finish`, {});
              if (data.state) this.state = data.state;
            } catch (e) {
              if (e.status === 422 && e.data && e.data.retake) { this.interrupted = null; return this.refused(this.qIndex, e.message); }
              throw e;
            }
          }
          this.local.closed.add(take.answer);
          this.interrupted = null;
          this.afterAnswer();
        } catch (e) { this.error = e.message; } finally { this.busy = false; }
      },
      async continueInterrupted() {
        // A new part of the same take: the earlier part's pieces go to the server first, the server notes where the new
        // part starts (and how much answer time is left), a short preparation, then the recording goes on.
        const take = this.interrupted;
        this.busy = true;
        this.error = "";
        try {
          const serverHeld = !take.local;
          if (!(await this.uploader.flush(take.answer))) throw new Error(this.error || strings.uploading);
          let offset;
          if (take.local) {
            offset = (await this.uploader.local(take.answer)).bytes;
          } else {
            // this browser does not hold the earlier part(s): the new part follows what the server holds
            await this.uploader.forgetPieces(take.answer);
            const response = await this.uploader.request(this.base + "state", { method: "GET" });
            const data = await response.json().catch(() => ({}));
            if (!response.ok) { if (response.status === 410) this.linkClosed = true; throw refusal(response, data); }
            this.state = data;
            offset = (this.state.answers[String(this.qIndex)] || { received: 0 }).received;
          }
          const data = await this.api(`answers/${take.answer}/continue`, { offset, mime: pickMime(this.audioOnly) });
          await this.uploader.open(take.answer, this.qIndex, serverHeld);
          this.continuing = { answer: take.answer, offset: data.offset, chunks: data.chunks, remaining: data.remaining_s,
            before: this.limits().answer - data.remaining_s, serverHeld };
          this.interrupted = null;
          this.error = ""; this.phase = "prep"; this.canContinue = false;
          const prep = CONTINUE_PREP_S;
          this.focusHeading();
          this.announce(fill(strings.continuePrep, { s: prep, left: data.remaining_s }));
          this.countDown(prep, () => this.startRecording());
        } catch (e) { this.error = e.message; } finally { this.busy = false; }
      },
      async recordInterruptedAgain() {
        const take = this.interrupted;
        await this.uploader.drop(take.answer);
        this.interrupted = null;
        this.technicalNext = true;  // a technical retake: it never uses one of the question's retakes
        this.prepare();
      },
      limits() {
        if (this.qIndex < 0) return { prep: this.state.practice_prep_s || 30, answer: this.state.practice_answer_s || 60 };
        const q = this.state.questions[this.qIndex];
        return { prep: q.prep_s + (this.state.extra_prep_s || 0), answer: q.answer_s };
      },
      prepare() {
        if (this.qIndex >= this.state.questions.length) {
          if (this.redo.length) return this.redoNext();
          return this.show("review");
        }
        this.error = ""; this.phase = "prep"; this.canContinue = false; this.textAnswer = ""; this.continuing = null;
        const prep = this.limits().prep;
        this.focusHeading();
        this.announce(fill(strings.prepStarted, { q: this.questionLabel, s: prep }));
        this.countDown(prep, () => this.startRecording());
      },
      countDown(seconds, done) {
        clearInterval(this.timer);
        this.countdown = seconds;
        this.timer = setInterval(() => {
          this.countdown -= 1;
          if (this.phase === "recording" && (this.countdown === 30 || this.countdown === 10)) {
            this.announce(fill(strings.secondsLeftNotice, { s: this.countdown }));
          }
          if (this.countdown <= 0) { clearInterval(this.timer); done(); }
        }, 1000);
      },
      async startRecording() {
        if (this.phase !== "prep") return;
        this.phase = "starting";
        clearInterval(this.timer);
        const mime = pickMime(this.audioOnly);
        const technical = this.technicalNext;
        const part = this.continuing && this.continuing.answer;
        const serverHeld = !!part && this.continuing.serverHeld;
        try {
          if (!this.stream) await this.acquire();
          if (part) {
            // the same take, a new part: its pieces follow the earlier part's (answer_continue set where it starts)
            this.answerId = this.continuing.answer;
            this.offset = this.continuing.offset;
            this.chunkIndex = this.continuing.chunks;
          } else {
            const data = await this.api("answers", { question: this.qIndex, kind: this.audioOnly ? "audio" : "video", mime, technical });
            this.technicalNext = false;
            this.answerId = data.answer;
            this.offset = data.chunks.reduce((n, c) => n + c[2], 0);
            this.chunkIndex = data.chunks.length;
          }
        } catch (e) { this.error = e.message; this.phase = "failed"; return; }
        const before = part ? this.continuing.before : 0;
        const limit = part ? this.continuing.remaining : this.limits().answer;
        this.continuing = null;
        this.recordedBefore = before;
        if (!part) await this.uploader.open(this.answerId, this.qIndex);
        this.recorder = new MediaRecorder(this.stream, mime ? { mimeType: mime } : undefined);
        const answer = this.answerId;
        const question = this.qIndex;
        this.recorder.ondataavailable = (event) => {
          if (!event.data || !event.data.size) return;
          this.uploader.addChunk(answer, this.chunkIndex++, this.offset, event.data);
          this.offset += event.data.size;
        };
        this.recorder.onstop = () => {
          // ondataavailable for the last piece fires before onstop
          setTimeout(() => this.uploader.close(answer, this.offset, question, serverHeld), 0);
          this.local.closed.add(answer);
          this.lockLanguage(false);
          this.afterAnswer();  // the upload goes on in the background; the candidate may continue
        };
        this.recorder.onerror = () => { this.phase = "failed"; this.lockLanguage(false); };
        this.recorder.start(CHUNK_MS);
        this.recordingStarted = Date.now();
        this.lastAnswer = answer;
        if (this.qIndex >= 0) this.recordedAny = true;
        this.phase = "recording";
        this.lockLanguage(true);
        this.recordLimit = limit;
        this.announce(fill(strings.recordingStarted, { s: limit }));
        this.focusWhenShown(() => "[data-testid=stop-answer]");
        this.countDown(limit, () => this.stopRecording());
      },
      stopRecording() {
        clearInterval(this.timer);
        this.recordedS = Math.round((this.recordedBefore || 0) + Math.min(this.elapsed(), this.recordLimit || this.limits().answer));
        if (this.recorder && this.recorder.state !== "inactive") this.recorder.stop();
      },
      afterAnswer() {
        this.phase = "done";
        this.canContinue = true;
        this.recordingStarted = 0;
        this.announce(fill(this.qIndex < 0 ? strings.practiceChecking : strings.recordedSaving, { s: this.recordedS }));
        this.focusWhenShown(() => "[data-testid=next]");
      },
      retake(technical) {
        // a retake has its own preparation time, like the first take
        this.technicalNext = !!technical;
        this.prepare();
      },
      async sendText() {
        try {
          this.state = await this.api("answers/text", { question: this.qIndex, text: this.textAnswer });
          this.recordedAny = true;
          this.next();
        } catch (e) { this.error = e.message; }
      },
      refused(question, message) {
        // An answer the server could not use: tell the candidate, and go back to that question now, or as soon as
        // the answer being recorded is done (never cut a recording short).
        if (this.state.answers[String(question)]) delete this.state.answers[String(question)];
        this.local.closed.forEach((id) => { if (!Object.values(this.state.answers).some((a) => a.id === id)) this.local.closed.delete(id); });
        if (!this.redo.includes(question)) this.redo.push(question);
        this.refusal = message;
        if (this.step === "done" || this.phase === "recording" || this.phase === "starting") return;
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
          this.show("done");
          if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
        } catch (e) { this.error = e.message; } finally { this.busy = false; }
      },
    };
  };
})();
// The CSP build of Alpine reaches no globals from x-data: the component is registered by name.
document.addEventListener("alpine:init", () => window.Alpine.data("interviewFlow", window.interviewFlow));
