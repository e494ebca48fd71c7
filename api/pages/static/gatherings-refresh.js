// The desk's sign-in code changes every minute: reload the page when the next code is due.
// Optional: without JavaScript the page's <noscript> meta refresh does the same.
(function () {
  var script = document.currentScript;
  var seconds = Number(script && script.dataset.refreshSeconds) || 60;
  setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
