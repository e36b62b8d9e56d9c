// The pipeline board: "load more" per column (htmx appends the next page; focus goes to the first new card), and,
// for people who may move applications, drag a card onto a stage column to move it there, with a reason. A move
// updates both columns' counts in place; the lazily loaded cards move like the first page's.
(function () {
  "use strict";
  const board = document.querySelector(".board");
  if (!board) return;

  // Keyboard and screen-reader users land on the first card the page added, not on the top of the document.
  let before = null;
  document.body.addEventListener("htmx:beforeRequest", (evt) => {
    const target = evt.detail.target;
    before = target && target.classList.contains("cards") ? { list: target, n: target.children.length } : null;
  });
  document.body.addEventListener("htmx:afterSwap", (evt) => {
    if (!before || evt.detail.target !== before.list) return;
    const first = before.list.children[before.n];
    const link = first && first.querySelector("a");
    if (link) link.focus();
    before = null;
  });

  if (!board.dataset.moveReason || !window.Sortable) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const ask = board.dataset.moveReason;

  function bump(list, delta) {
    const badge = list.closest(".col").querySelector("[data-count]");
    const n = Math.max(0, parseInt(badge.dataset.count, 10) + delta);
    badge.dataset.count = String(n);
    badge.textContent = String(n);
  }

  function putBack(evt) {
    evt.from.insertBefore(evt.item, evt.from.children[evt.oldIndex] || null);
  }

  board.querySelectorAll(".cards").forEach((list) => {
    const col = list.closest(".col");
    new Sortable(list, {
      group: { name: "board", pull: true, put: () => col.dataset.stage === "1" }, sort: false, draggable: ".movable",
      forceFallback: true, fallbackTolerance: 3, animation: 120,
      onAdd(evt) {
        const reason = window.prompt(ask);
        if (!reason) { putBack(evt); return; }
        const body = new FormData(); body.append("stage_key", evt.to.dataset.key); body.append("reason", reason);
        fetch(evt.item.dataset.moveUrl, { method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" })
          .then((r) => {
            if (r.ok) {
              bump(evt.from, -1); bump(evt.to, +1);
              evt.to.insertBefore(evt.item, evt.to.firstChild); // newest activity first
              return;
            }
            return r.text().then((t) => { putBack(evt); alert(t); });
          })
          .catch(() => putBack(evt));
      },
    });
  });
})();
