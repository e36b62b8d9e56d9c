// The review of a live interview (scorecard page): while the recording plays, the timeline row of the moment is
// marked (aria-current) and kept in view. Seeking from a row or a marker is static/hirelens/behaviours.js's
// data-seek behaviour.
(function () {
  "use strict";

  document.querySelectorAll("ol.live-timeline[data-media]").forEach((list) => {
    const media = document.getElementById(list.dataset.media);
    if (!media) return;
    const rows = Array.from(list.querySelectorAll("li[data-at]"));
    let current = null;
    media.addEventListener("timeupdate", () => {
      const now = media.currentTime;
      let found = null;
      rows.forEach((row) => { if (Number(row.dataset.at) <= now + 0.25) found = row; });
      if (found === current) return;
      if (current) { current.removeAttribute("aria-current"); current.style.background = ""; }
      current = found;
      if (current) {
        current.setAttribute("aria-current", "true");
        current.style.background = "#fef9c3";
      }
    });
  });
})();
