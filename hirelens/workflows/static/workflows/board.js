// The pipeline board: drag a card onto a stage column to move the application there, with a reason.
(function () {
  "use strict";
  const board = document.querySelector(".board[data-move-reason]");
  if (!board || !window.Sortable) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const ask = board.dataset.moveReason;
  board.querySelectorAll(".cards").forEach((list) => {
    const col = list.closest(".col");
    new Sortable(list, {
      group: { name: "board", pull: true, put: () => col.dataset.stage === "1" }, sort: false, draggable: ".movable",
      forceFallback: true, fallbackTolerance: 3, animation: 120,
      onAdd(evt) {
        const reason = window.prompt(ask);
        if (!reason) { location.reload(); return; }
        const body = new FormData(); body.append("stage_key", evt.to.dataset.key); body.append("reason", reason);
        fetch(evt.item.dataset.moveUrl, { method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" })
          .then((r) => r.ok ? location.reload() : r.text().then((t) => { alert(t); location.reload(); }));
      },
    });
  });
})();
