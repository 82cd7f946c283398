/* On stage: the segment's countdown, counted by the browser from the segment's start and
   duration, on the controller and on the big screen; the big screen also polls the stage's
   small state (answered 304 while nothing changed) and keeps counting when the network drops. */
(function () {
  "use strict";
  var AMBER_MS = 60000; // the last minute is amber; past the end, red

  function format(ms) {
    var seconds = Math.ceil(Math.abs(ms) / 1000);
    var minutes = Math.floor(seconds / 60);
    seconds = seconds % 60;
    return (ms < 0 ? "+" : "") + minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
  }

  /* The milliseconds left of the segment; negative once it has run over. */
  function left(clock, offset) {
    var elapsed = clock.elapsed_ms;
    if (clock.running && clock.started_ms !== null) {
      elapsed += Date.now() + offset - clock.started_ms;
    }
    return clock.duration_ms - elapsed;
  }

  function paint(element, clock, offset, overText) {
    element.classList.remove("clock-amber", "clock-red", "clock-over", "clock-paused");
    if (!clock || !clock.segment) {
      element.textContent = "–:––";
      return;
    }
    var ms = left(clock, offset);
    element.textContent = ms < 0 ? overText + " " + format(ms) : format(ms);
    if (ms <= 0) element.classList.add("clock-red");
    if (ms < 0) element.classList.add("clock-over");
    else if (ms <= AMBER_MS) element.classList.add("clock-amber");
    if (!clock.running) element.classList.add("clock-paused");
  }

  function controller(element) {
    var data = element.dataset;
    var clock = {
      segment: data.duration !== "0" ? "on" : "",
      duration_ms: Number(data.duration),
      elapsed_ms: Number(data.elapsed),
      running: data.running === "1",
      started_ms: data.started ? Number(data.started) : null,
    };
    var offset = Number(data.server) - Date.now();
    var over = document.getElementById("stage-texts").dataset.over;
    paint(element, clock, offset, over);
    window.setInterval(function () {
      paint(element, clock, offset, over);
    }, 250);
  }

  function item(turn, texts) {
    var li = document.createElement("li");
    li.className = "screen-turn turn-" + turn.state;
    var order = document.createElement("span");
    order.className = "screen-turn-order";
    order.textContent = turn.order;
    var name = document.createElement("span");
    name.className = "screen-turn-name";
    name.textContent = turn.name + " · " + turn.village;
    var mark = document.createElement("span");
    mark.className = "screen-turn-mark";
    var marks = { passed: texts.passed, absent: texts.absent, current: texts.onStage };
    mark.textContent =
      turn.state === "done"
        ? "✓ " + (turn.score !== null ? turn.score : texts.done)
        : marks[turn.state] || "";
    li.append(order, name, mark);
    if (turn.state === "current") li.setAttribute("aria-current", "step");
    return li;
  }

  function screen(root) {
    var texts = root.dataset;
    var clockElement = document.getElementById("clock");
    var offline = document.getElementById("offline");
    var state = null;
    var stopped = false;
    var etag = null;
    var offset = 0;

    function text(id, value) {
      var element = document.getElementById(id);
      element.textContent = value || "";
      return element;
    }

    /* A long question must be read to its end: the screen's type steps down, the clock and
       name first shrinking with it, until the question fits above the bottom edge. */
    var FITS = ["fit-1", "fit-2", "fit-3"];
    function fit(box) {
      root.classList.remove.apply(root.classList, FITS);
      for (var i = 0; i < FITS.length; i++) {
        if (box.hidden || box.getBoundingClientRect().bottom <= window.innerHeight) return;
        if (i) root.classList.remove(FITS[i - 1]);
        root.classList.add(FITS[i]);
      }
    }

    function render() {
      var now = state.on_stage;
      text("now-order", now ? String(now.order) : "");
      text("now-name", now ? now.name : state.finished ? texts.finished : texts.waiting);
      text("now-village", now ? now.village : "");
      var score = text("now-score", now && now.score !== null ? texts.score + " " + now.score : "");
      score.hidden = !(now && now.score !== null);
      /* A clock stopped partway through its segment says so in words, not only in colour. */
      var clock = state.clock;
      var paused = clock && clock.segment && !clock.running && clock.elapsed_ms > 0;
      text("now-segment", state.segment + (paused ? " · " + texts.paused : ""));
      text(
        "progress",
        state.progress
          ? texts.progress
              .replace("{n}", state.progress.submitted)
              .replace("{m}", state.progress.expected)
          : "",
      );
      var box = document.getElementById("question-box");
      box.hidden = !state.question;
      if (state.question) {
        text("question-text", state.question.text);
        text("question-criterion", state.question.criterion);
      }
      fit(box);
      var list = document.getElementById("order");
      list.replaceChildren.apply(
        list,
        state.order.map(function (turn) {
          return item(turn, texts);
        }),
      );
      var current = list.querySelector(".turn-current");
      if (current) current.scrollIntoView({ block: "nearest" });
    }

    /* Revoked, or scoring closed: nothing of the stage stays on the screen, the clock stops
       and so does the polling; a new link opens it again. */
    function refused() {
      state = null;
      stopped = true;
      root.classList.add("screen-refused");
      text("now-order", "");
      text("now-name", texts.refused);
      text("now-village", texts.refusedWhy);
    }

    function poll() {
      var headers = { Accept: "application/json" };
      if (etag) headers["If-None-Match"] = etag;
      fetch(root.dataset.state, { headers: headers, cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          var served = response.headers.get("X-Server-Time");
          if (served) offset = Number(served) - Date.now();
          offline.hidden = true;
          if (response.status === 304) return null;
          if (response.status === 403) {
            refused();
            return null;
          }
          if (!response.ok) throw new Error(String(response.status));
          etag = response.headers.get("ETag");
          return response.json();
        })
        .then(function (fresh) {
          if (fresh) {
            state = fresh;
            render();
          }
        })
        .catch(function () {
          offline.hidden = false; // the clock keeps counting from what it last heard
        })
        .finally(function () {
          if (!stopped) window.setTimeout(poll, 500);
        });
    }

    window.setInterval(function () {
      if (state) paint(clockElement, state.clock, offset, texts.over);
    }, 200);
    poll();
  }

  var root = document.getElementById("screen");
  if (root) screen(root);
  else if (document.getElementById("clock")) controller(document.getElementById("clock"));
})();
