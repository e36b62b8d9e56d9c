// The resume review form (candidates/resume_review.html): "全部采用" ticks 采用 on every row; nothing is sent
// until the reviewer presses 确认. Registered with Alpine.data: the CSP build of Alpine evaluates no inline code.
document.addEventListener("alpine:init", () => {
  window.Alpine.data("resumeReview", () => ({
    acceptAll() {
      this.$root.querySelectorAll('input[type="radio"][value="accept"]').forEach((radio) => { radio.checked = true; });
      const confirm = this.$root.querySelector('[data-testid="review-confirm"]');
      if (confirm) confirm.focus();
    },
  }));
});
