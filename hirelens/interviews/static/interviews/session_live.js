// HR's interview session page: live analysis progress from the events WebSocket (static/hirelens/app.js).
// Registered as an Alpine component because the CSP build of Alpine evaluates no statements in attributes.
document.addEventListener("alpine:init", () => {
  window.Alpine.data("sessionLive", () => ({
    session: 0, state: "", live: {}, changed: false,
    init() {
      this.session = Number(this.$el.dataset.session);
      this.state = this.$el.dataset.state;
    },
    update(detail) {
      if (!detail || detail.session !== this.session) return;
      this.live[detail.answer] = detail;
      this.state = detail.state;
      this.changed = true;
    },
    analysis(answer, fallback) {
      return (this.live[answer] || {}).analysis || fallback;
    },
  }));
});
