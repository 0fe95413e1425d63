// The offline page (served by the service worker when there is no network): what is typed is kept as the draft of
// the conversation in the address bar, exactly where the app's composer looks for it, and the page goes back to
// the app as soon as the network returns.
(function () {
  var match = location.pathname.match(/^\/c\/([0-9a-f-]{36})/);
  var key = "tally.draft." + (match ? match[1] : "new");
  var theme = (document.cookie.match(/(?:^|; )tally_theme=(light|dark|system)/) || [])[1];
  if (theme) document.documentElement.setAttribute("data-theme", theme);
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
    note.textContent = "Your question is kept here and will be ready to send when you are back online.";
  });
  window.addEventListener("online", function () { location.reload(); });
})();
