// Live events for signed-in staff: one WebSocket, reconnecting with back-off; events show as toasts
// and are re-dispatched as DOM events ("hirelens:<event>") so pages can react.
(function () {
  const url = document.body.dataset.eventsUrl;
  if (!url) return;
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  let delay = 1000;
  const labels = {
    "invitation.accepted": (p) => (document.documentElement.lang === "en" ? `${p.name || p.email} accepted your invitation` : `${p.name || p.email} 已接受邀请`),
  };
  function toast(text) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const item = document.createElement("div");
    item.className = "toast";
    item.setAttribute("role", "status");
    item.textContent = text;
    box.appendChild(item);
    setTimeout(() => item.remove(), 8000);
  }
  function connect() {
    const socket = new WebSocket(scheme + location.host + url);
    window.hirelensSocket = socket;
    socket.onopen = () => { delay = 1000; document.body.dataset.live = "1"; };
    socket.onmessage = (message) => {
      const data = JSON.parse(message.data);
      document.dispatchEvent(new CustomEvent("hirelens:" + data.event, { detail: data.payload }));
      if (labels[data.event]) toast(labels[data.event](data.payload));
    };
    socket.onclose = () => {
      document.body.dataset.live = "0";
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
