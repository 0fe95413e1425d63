// The offline page (served by the service worker when there is no network): what is typed is kept as the draft of
// the conversation in the address bar, exactly where the app's composer looks for it, and the page goes back to
// the app as soon as the network returns.
(function () {
  var match = location.pathname.match(/^\/c\/([0-9a-f-]{36})/);
  var key = "tally.draft." + (match ? match[1] : "new");
  var theme = (document.cookie.match(/(?:^|; )tally_theme=(light|dark|system)/) || [])[1];
  if (theme) document.documentElement.setAttribute("data-theme", theme);
  // The app's language (its cookie, else the browser's), as the server would have chosen it.
  var lang = (document.cookie.match(/(?:^|; )tally_lang=(en|vi)/) || [])[1] ||
    ((navigator.language || "").toLowerCase().indexOf("vi") === 0 ? "vi" : "en");
  var kept = "Your question is kept here and will be ready to send when you are back online.";
  if (lang === "vi") {
    document.documentElement.lang = "vi";
    document.title = "Tally: ngoại tuyến";
    var say = function (id, text) { var el = document.getElementById(id); if (el) el.textContent = text; };
    say("offline-heading", "Bạn đang ngoại tuyến: các cuộc trò chuyện sẽ hiện ra khi bạn có mạng trở lại");
    say("offline-hint", "Những gì bạn gõ bên dưới được giữ trên thiết bị này và chờ sẵn trong ô soạn tin.");
    say("offline-label", "Tin nhắn");
    say("offline-send", "Gửi");
    document.getElementById("composer").placeholder = "Đặt một câu hỏi về thuế…";
    kept = "Câu hỏi của bạn được giữ ở đây và sẵn sàng để gửi khi bạn có mạng trở lại.";
  }
  var box = document.getElementById("composer");
  var note = document.getElementById("offline-note");
  try { box.value = localStorage.getItem(key) || ""; } catch (e) {}
  box.addEventListener("input", function () {
    try {
      if (box.value.trim()) localStorage.setItem(key, box.value); else localStorage.removeItem(key);
    } catch (e) {}
  });
  document.getElementById("offline-composer").addEventListener("submit", function (event) {
    event.preventDefault();
    note.textContent = kept;
  });
  // Back to the app once the server answers, not merely when the browser says it is online: "online" only means
  // a network is there (a phone on a captive portal is "online"), and a reload at that instant can still miss it
  // and land here again with no second event to come. So the page asks the server, now and every few seconds.
  var retry = null;
  function backWhenReachable() {
    clearTimeout(retry);
    fetch("/healthz", { cache: "no-store" }).then(function (response) {
      if (response.ok) location.reload(); else later();
    }, later);
  }
  function later() { retry = setTimeout(backWhenReachable, 3000); }
  window.addEventListener("online", backWhenReachable);
  later();
})();
