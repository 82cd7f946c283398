/* The staff's progress board: fetch the table again every few seconds. */
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) return;
  function refresh() {
    fetch(board.dataset.url, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null) board.innerHTML = html;
      })
      .catch(function () {
        /* Offline for a moment: the next refresh will try again. */
      });
  }
  window.setInterval(refresh, 5000);
})();
