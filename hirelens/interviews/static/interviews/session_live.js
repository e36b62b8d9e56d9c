// HR's interview session page: live analysis progress from the events WebSocket (static/hirelens/app.js).
// Registered as an Alpine component because the CSP build of Alpine evaluates no statements in attributes.
document.addEventListener("alpine:init", () => {
  window.Alpine.data("sessionLive", () => ({
    session: 0, state: "", live: {}, changed: false, labels: {analysis: {}, state: {}},
    init() {
      const script = document.getElementById("session-live-labels");
      if (script) this.labels = JSON.parse(script.textContent);
      this.session = Number(this.$el.dataset.session);
      this.state = this.$el.dataset.state;
    },
    update(detail) {
      if (!detail || detail.session !== this.session) return;
      this.live[detail.answer] = detail;
      // events carry codes; show the label in the reader's language (keep the last label for an unknown code)
      this.state = this.labels.state[detail.state] || this.state;
      this.changed = true;
    },
    analysis(answer, fallback) {
      const code = (this.live[answer] || {}).analysis;
      return (code && this.labels.analysis[code]) || fallback;
    },
  }));
});
