// The notice of templates/_inapp_notice.html: where this browser cannot do what the page needs (record an answer, or
// hold a video call), say so before the candidate starts and help them open the page in the system browser.
// The decision is by feature; the user agent (WeChat's "MicroMessenger") only chooses the wording of the advice.
(function () {
  "use strict";
  const notice = document.getElementById("inapp-notice");
  if (!notice) return;
  const media = !!(navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === "function");
  const able = {
    recorder: media && typeof window.MediaRecorder === "function",
    call: media && typeof window.RTCPeerConnection === "function",
  };
  if (able[notice.dataset.needs || "recorder"]) return;  // a browser that can: nothing shows

  const wechat = /MicroMessenger/i.test(navigator.userAgent);
  notice.querySelectorAll("[data-inapp-when]").forEach((el) => {
    el.hidden = el.dataset.inappWhen !== (wechat ? "wechat" : "other");
  });
  const link = location.href.split("#")[0];
  const field = document.getElementById("inapp-link");
  const status = document.getElementById("inapp-status");
  field.value = link;
  notice.hidden = false;
  document.documentElement.dataset.cannotRecord = "1";

  function selected() {
    field.focus();
    field.select();
    field.setSelectionRange(0, link.length);  // iOS selects nothing with select() alone
  }
  function fallback() {
    selected();
    let copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    status.textContent = copied ? notice.dataset.copied : notice.dataset.selected;
  }
  document.getElementById("inapp-copy").addEventListener("click", () => {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(link).then(() => { status.textContent = notice.dataset.copied; }, fallback);
    } else {
      fallback();
    }
  });
  field.addEventListener("focus", selected);
})();
