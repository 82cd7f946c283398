/* A judge's phone follows the stage: the banner says who is on stage now and the contestant
   list marks them. The stage's small state is asked for every few seconds and answered 304
   while nothing changed; without network the page stays as it was. */
(function () {
  "use strict";
  var banner = document.getElementById("on-stage-banner");
  if (!banner) return;
  var etag = null;

  function mark(id) {
    var rows = document.querySelectorAll("#contestants [data-contestant]");
    Array.prototype.forEach.call(rows, function (row) {
      var here = row.dataset.contestant === String(id);
      row.classList.toggle("turn-current", here);
      if (here) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
      var badge = row.querySelector(".on-stage-mark");
      if (here && !badge) {
        badge = document.createElement("span");
        badge.className = "badge text-bg-warning on-stage-mark ms-1";
        badge.textContent = banner.dataset.mark;
        row.insertBefore(badge, row.lastElementChild);
      } else if (!here && badge) {
        badge.remove();
      }
    });
  }

  function show(state) {
    var now = state.on_stage;
    banner.hidden = !now;
    banner.textContent = now
      ? banner.dataset.text.replace("{name}", now.name).replace("{village}", now.village)
      : "";
    mark(now ? now.id : null);
  }

  function poll() {
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(banner.dataset.state, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status !== 200) return null;
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (state) {
        if (state) show(state);
      })
      .catch(function () {
        /* Offline for a moment: the next poll will try again. */
      })
      .finally(function () {
        window.setTimeout(poll, 4000);
      });
  }
  window.setTimeout(poll, 4000);
})();
