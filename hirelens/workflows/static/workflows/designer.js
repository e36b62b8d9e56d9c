// The process designer: drag modules from the palette into the process, and stages to reorder them.
(function () {
  "use strict";
  // A refused stage save answers 400 with the form again and its messages: show it in place (htmx swaps no 4xx).
  document.body.addEventListener("htmx:beforeSwap", (e) => {
    const elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (e.detail.xhr.status === 400 && elt && elt.closest && elt.closest(".stage-form")) {
      e.detail.shouldSwap = true; e.detail.isError = false;
    }
  });
  const box = document.getElementById("stage-list");
  if (!box || !window.Sortable) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  function post(url, body) {
    return fetch(url, { method: "POST", body, headers: { "X-CSRFToken": csrf, "HX-Request": "true" }, credentials: "same-origin" })
      .then((r) => r.text().then((text) => {
        if (!r.ok) { alert(text); return; }
        box.innerHTML = text; htmx.process(box); bind();
      }));
  }
  function ids() { return Array.from(box.querySelectorAll("#stages > li[data-id]")).map((li) => li.dataset.id); }
  function bind() {
    const list = document.getElementById("stages");
    if (!list || list.dataset.bound) return;
    list.dataset.bound = "1";
    new Sortable(list, {
      group: { name: "process", pull: false, put: ["palette"] }, handle: ".handle, .stage-head", filter: ".empty-hint, button",
      preventOnFilter: false, animation: 120, forceFallback: true, fallbackTolerance: 3,
      onAdd(evt) {
        const module = evt.item.dataset.module, index = evt.newIndex - (list.querySelector(".empty-hint") ? 1 : 0);
        evt.item.remove();
        const body = new FormData(); body.append("module", module); body.append("index", Math.max(0, index));
        post(box.dataset.addUrl, body);
      },
      onUpdate() { const body = new FormData(); ids().forEach((id) => body.append("stage", id)); post(box.dataset.reorderUrl, body); },
    });
  }
  new Sortable(document.getElementById("palette"), {
    group: { name: "palette", pull: "clone", put: false }, sort: false, forceFallback: true, fallbackTolerance: 3, animation: 120,
  });
  bind();
  document.body.addEventListener("htmx:afterSwap", (e) => { if (e.detail.target === box) bind(); });
})();
