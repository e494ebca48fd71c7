// The pay page without reloading: the minutes left count down, and once the code has expired
// the page is fetched again (it then offers a new code). The count starts from the seconds the
// server gave, so a phone whose clock is wrong still counts right. Without JavaScript the page
// shows the time the code is valid until, and its "refresh" link.
(function () {
  "use strict";
  var shown = document.querySelector("[data-seconds-left]");
  if (!shown) { return; }
  var ends = Date.now() + 1000 * Number(shown.getAttribute("data-seconds-left"));
  function tick() {
    var left = Math.ceil((ends - Date.now()) / 60000);
    if (left <= 0) { window.location.reload(); return; }
    shown.setAttribute("data-minutes-left", String(left));
    shown.textContent = shown.textContent.replace(/[0-9]+/, String(left));
  }
  window.setInterval(tick, 15000);
}());
