// Incidents in the interviewer's room (templates/live/_incidents.html): one click each, posted with the CSRF
// token; the lists of incidents (with the message's delivery status) and of the candidate's help-desk reports
// are kept current by polling the room's small JSON state, and at once when room.js relays an "incident",
// "helpdesk" or "voice_only" message of the room's WebSocket (its "hirelens:room" DOM event, docs/live.md).
(() => {
  const root = document.getElementById("incidents");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  const t = (key, values) => {
    let text = root.dataset["t" + key.replace(/(^|-)(\w)/g, (_m, _d, c) => c.toUpperCase())] || "";
    Object.entries(values || {}).forEach(([k, v]) => { text = text.split("{" + k + "}").join(String(v)); });
    return text;
  };
  const csrf = () => {
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) return meta.content;
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.split("=")[1]) : "";
  };
  const list = document.getElementById("incidents-list");
  const helpdesk = document.getElementById("helpdesk-list");
  const feedback = document.getElementById("incidents-feedback");
  const errorBox = document.getElementById("incidents-error");
  const voiceOnly = document.getElementById("incidents-voice-only");
  const POLL_MS = 3000;
  let substitutes = [];
  let busy = false;

  function showError(text) {
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderIncidents(rows) {
    list.replaceChildren();
    if (!rows.length) {
      list.appendChild(el("li", { class: "muted", "data-empty": "1" }, t("empty")));
      return;
    }
    rows.forEach((row) => {
      const li = el("li", { "data-kind": row.kind, "data-status": row.status, "data-incident-id": String(row.id) });
      li.appendChild(el("strong", {}, row.kind_label));
      li.appendChild(el("span", { class: "muted small" }, " " + row.at));
      li.appendChild(el("br"));
      li.appendChild(el("span", {}, row.summary));
      li.appendChild(el("br"));
      const status = el("span", { class: "incident-status status-" + row.status }, row.status_label);
      li.appendChild(status);
      if (row.channel) li.appendChild(el("span", { class: "muted small" }, " · " + t("via", { channel: row.channel })));
      if (row.actor) li.appendChild(el("span", { class: "muted small" }, " · " + t("by", { name: row.actor })));
      list.appendChild(li);
    });
  }

  function renderHelpdesk(rows) {
    helpdesk.replaceChildren();
    if (!rows.length) {
      helpdesk.appendChild(el("li", { class: "muted", "data-empty": "1" }, t("helpdesk-empty")));
      return;
    }
    rows.forEach((ticket) => {
      const li = el("li", { "data-ticket": String(ticket.id) });
      li.appendChild(el("span", { class: "muted small" }, ticket.source + " · " + ticket.status));
      ticket.messages.forEach((m) => {
        const p = el("p", { class: "helpdesk-message" });
        p.appendChild(el("span", { class: "muted small" }, m.at + " "));
        p.appendChild(el("span", {}, m.text));
        li.appendChild(p);
      });
      helpdesk.appendChild(li);
    });
  }

  function render(state) {
    // the lists are rebuilt only from a complete answer; an empty placeholder is not a row
    renderIncidents(state.incidents || []);
    renderHelpdesk(state.helpdesk || []);
    substitutes = state.substitutes || [];
    voiceOnly.hidden = !state.voice_only;
    const ended = state.state === "ended";
    root.querySelectorAll("button[data-incident], form button[type=submit], [data-confirm], [data-video-back]")
      .forEach((b) => { b.disabled = ended; });
  }

  async function refresh() {
    try {
      const response = await fetch(root.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) render(await response.json());
    } catch (_e) { /* offline for a moment: the next poll catches up */ }
  }

  async function post(url, body) {
    if (busy) return;
    busy = true;
    showError("");
    feedback.textContent = t("sending");
    try {
      const response = await fetch(url, { method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), Accept: "application/json" } });
      let data = {};
      try { data = await response.json(); } catch (_e) { data = {}; }
      if (!response.ok) {
        feedback.textContent = "";
        showError(data.error || t("failed"));
        return;
      }
      feedback.textContent = t("done");
      closeForms();
      render(data);
    } catch (_e) {
      feedback.textContent = "";
      showError(t("failed"));
    } finally {
      busy = false;
    }
  }

  function report(kind, form) {
    const body = form ? new FormData(form) : new FormData();
    post(root.dataset.reportUrl.replace("KIND", kind), body);
  }

  function closeForms() {
    root.querySelectorAll("[data-form]").forEach((f) => { f.hidden = true; });
  }

  function open(kind) {
    closeForms();
    const box = root.querySelector('[data-form="' + kind + '"]');
    if (!box) return;
    if (kind === "substitute") {
      const select = box.querySelector("select[name=substitute]");
      select.replaceChildren();
      substitutes.forEach((s) => select.appendChild(el("option", { value: String(s.id) }, s.name)));
      if (!substitutes.length) showError(t("no-substitute"));
    }
    box.hidden = false;
    const first = box.querySelector("input, select, button");
    if (first) first.focus();
  }

  root.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !root.contains(button)) return;
    if (button.dataset.incident) {
      const kind = button.dataset.incident;
      if (kind === "network") { closeForms(); report("network"); } else open(kind);
    } else if (button.dataset.confirm === "device") {
      report("device");
    } else if (button.hasAttribute("data-cancel")) {
      closeForms();
      showError("");
    } else if (button.hasAttribute("data-video-back")) {
      const body = new FormData();
      body.append("on", "0");
      post(root.dataset.voiceUrl, body);
    }
  });
  root.querySelectorAll("form[data-form]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      report(form.dataset.form, form);
    });
  });
  const LIVE_TYPES = new Set(["incident", "helpdesk", "voice_only", "ended"]);
  document.addEventListener("hirelens:room", (event) => {
    if (event.detail && LIVE_TYPES.has(event.detail.type)) refresh();
  });
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, POLL_MS);
})();
