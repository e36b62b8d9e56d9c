// Small page behaviours declared with data- attributes, so no template carries inline script or event handlers
// (the Content-Security-Policy allows scripts from our static files only). Listeners are delegated from the
// document, so content that HTMX swaps in later behaves the same.
(function () {
  "use strict";

  // <form data-confirm="…">: ask before submitting.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <select data-autosubmit>: a filter that applies as soon as it changes.
  document.addEventListener("change", (event) => {
    const el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
  });

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    // <input data-select-on-click>: one click selects a link for copying.
    const select = target.closest("[data-select-on-click]");
    if (select) select.select();
    // <button data-seek="media-id" data-start="12.5">: play a recording from a moment.
    const seek = target.closest("[data-seek]");
    if (seek) {
      const media = document.getElementById(seek.dataset.seek);
      if (media) {
        media.currentTime = Number(seek.dataset.start) || 0;
        media.play().catch(() => {});
      }
    }
    // <button data-add-row> right after a list of rows: append an empty copy of the last row.
    const add = target.closest("[data-add-row]");
    if (add) {
      const rows = add.previousElementSibling;
      const copy = rows.lastElementChild.cloneNode(true);
      copy.querySelectorAll("input[type=hidden], textarea, input[type=text], input:not([type])").forEach((el) => { el.value = ""; });
      rows.appendChild(copy);
    }
  });

  // <form data-reset-on-success hx-post=…>: empty the form once HTMX has posted it successfully.
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-reset-on-success") && event.detail.successful) form.reset();
  });

  // <div data-live-event="helpdesk.message" data-live-key="ticket" data-live-value="7" data-url="…">: reload the
  // element's content from data-url when a live event arrives (for the object named by key/value, when given).
  // data-live-trigger="name" fires that HTMX event on the element instead; data-live-notice="id" shows an element.
  document.querySelectorAll("[data-live-event]").forEach((el) => {
    document.addEventListener("hirelens:" + el.dataset.liveEvent, (event) => {
      const detail = event.detail || {};
      if (el.dataset.liveKey && String(detail[el.dataset.liveKey]) !== el.dataset.liveValue) return;
      if (el.dataset.liveTrigger) window.htmx.trigger(el, el.dataset.liveTrigger);
      else window.htmx.ajax("GET", el.dataset.url, { target: el, swap: "innerHTML" });
      const notice = el.dataset.liveNotice && document.getElementById(el.dataset.liveNotice);
      if (notice) {
        notice.style.display = "";  // shown with its class's display (it starts as display:none)
        notice.dataset.byCandidate = detail.by_candidate ? "1" : "0";
      }
    });
  });
})();
