// Live preview of the reply's HTML part while the coder edits the plain text.
// The server renders (and escapes) the preview; this script only asks for it, a moment
// after the typing stops. Without JavaScript, the Preview button does the same.
(function () {
  "use strict";
  var text = document.getElementById("draft-text");
  var target = document.getElementById("live-preview");
  if (!text || !target || !window.fetch) {
    return;
  }
  var timer = null;
  var asked = 0;

  function refresh() {
    var body = new FormData(text.form);
    var ticket = ++asked;
    fetch(target.getAttribute("data-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok || ticket !== asked) {
        return null;
      }
      return response.text();
    }).then(function (html) {
      if (html !== null && html !== undefined) {
        target.innerHTML = html;
        target.closest("details").open = true;
      }
    });
  }

  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
