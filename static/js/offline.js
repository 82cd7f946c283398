/* The whole competition on the judge's phone. Each visit asks for the competition's kit (one
   conditional request: 304 while unchanged) and keeps it on the device; where service workers
   exist, the list page (the shell), its styles and scripts are kept in Cache Storage too, and the
   service worker (/sw.js) answers any judge page of the competition with that shell when the
   network fails. From the kept kit this script draws any contestant's sheet, or the list, on the
   phone: after an offline reload (the shell), and — where there is no service worker (in-app
   browsers) — when the judge moves between contestants offline, without a page load. The
   outbox (sheet.js) sends what was typed when the network returns. Signing out, or the
   competition's close, removes the kept copy; sheets not yet sent stay until the server has
   answered them. */
(function () {
  "use strict";

  var textsEl = document.getElementById("outbox-texts");
  var sheet = window.leitaiSheet;
  if (!textsEl || !sheet || !textsEl.dataset.kit) return;
  var t = textsEl.dataset;
  var KIT = "leitai:kit:" + t.competition;
  var KEPT = "leitai:kept:" + t.competition;
  var CACHE = "leitai-judge-" + t.competition;
  var main = document.querySelector("main");
  var stateEl = document.getElementById("offline-state");
  var kit = ownKit(sheet.read(KIT, null));
  var worker = null; /* true once a service worker runs, false where there is none */
  var kept = false;
  var refused = false;
  var drawn = null;

  function ownKit(value) {
    return value && String(value.user) === t.user ? value : null;
  }

  function fmt(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, name) {
      return name in values ? values[name] : all;
    });
  }

  function keyOf(id) {
    return t.competition + ":" + id + ":" + t.seat;
  }

  function storeKit() {
    try {
      window.localStorage.setItem(KIT, JSON.stringify(kit));
      return true;
    } catch (e) {
      refused = true;
      return false;
    }
  }

  /* ---- what the phone keeps ---- */

  function forget() {
    try {
      window.localStorage.removeItem(KIT);
      window.localStorage.removeItem(KEPT);
    } catch (e) {
      /* nothing kept */
    }
    kept = false; /* the kit in memory still names the items of what was not accepted */
    if (!window.caches) return Promise.resolve();
    return window.caches.delete(CACHE).catch(function () {});
  }

  /* Every competition this phone keeps: at sign-out none may stay for the next user. */
  function forgetAll() {
    var names = [];
    try {
      for (var i = 0; i < window.localStorage.length; i += 1) {
        var name = window.localStorage.key(i);
        if (name.indexOf("leitai:kit:") === 0 || name.indexOf("leitai:kept:") === 0) names.push(name);
      }
      names.forEach(function (name) {
        window.localStorage.removeItem(name);
      });
    } catch (e) {
      /* nothing kept */
    }
    if (!window.caches) return Promise.resolve();
    return window.caches
      .keys()
      .then(function (all) {
        return Promise.all(
          all
            .filter(function (name) {
              return name.indexOf("leitai-judge-") === 0;
            })
            .map(function (name) {
              return window.caches.delete(name);
            })
        );
      })
      .catch(function () {});
  }

  /* The shell and what it loads, as the page came (before anything is drawn into it). */
  var shellUrls = [t.list];
  Array.prototype.forEach.call(document.querySelectorAll("link[rel=stylesheet], link[rel=icon], script[src]"), function (el) {
    shellUrls.push(el.href || el.src);
  });

  /* Kept again only when the files (their names change with their content), the language or
     the roster the list shows changed. Only a refusal to store is the phone's storage
     refusing; a failed download is tried again next visit. */
  function keepShell() {
    if (!worker || !window.caches) return Promise.resolve();
    var roster = kit.contestants.map(function (c) {
      return [c.id, c.absent, c.recused].join(",");
    });
    /* The shell names its judge (and their seat): another judge on this phone gets their own. */
    var signature = [t.user, t.seat, document.documentElement.lang, kit.seat.active, roster.join(";")]
      .concat(shellUrls)
      .join(" ");
    return window.caches
      .open(CACHE)
      .then(function (cache) {
        return cache.match(t.list).then(function (hit) {
          if (hit && sheet.read(KEPT, "") === signature) return true;
          if (navigator.onLine === false) return false;
          return cache.addAll(shellUrls).then(function () {
            sheet.write(KEPT, signature);
            if (sheet.read(KEPT, "") !== signature) refused = true;
            return true;
          });
        });
      })
      .then(function (done) {
        kept = done && !refused;
      })
      .catch(function (error) {
        if (error && error.name === "QuotaExceededError") refused = true;
      });
  }

  function refreshKit() {
    var headers = { Accept: "application/json" };
    if (kit && kit.etag) headers["If-None-Match"] = kit.etag;
    return fetch(t.kit, { credentials: "same-origin", headers: headers, cache: "no-store", redirect: "manual" })
      .then(function (response) {
        if (response.status === 304) return;
        if (response.status === 403 || response.status === 404) return forget();
        if (!response.ok) return; /* signed out, or the server is down: the kept kit serves */
        return response.json().then(function (data) {
          data.etag = response.headers.get("ETag");
          kit = data;
          storeKit();
        });
      })
      .catch(function () {
        /* offline: the kept kit serves */
      })
      .then(function () {
        if (kit && kit.competition.status !== "scoring") {
          return forget().then(function () {
            show(t.tClosed, "closed");
          });
        }
        if (kit && !refused) return keepShell();
      });
  }

  /* ---- what the judge sees of it ---- */

  function show(text, state) {
    if (!stateEl) return;
    stateEl.hidden = !text;
    stateEl.textContent = text;
    stateEl.dataset.state = state;
    stateEl.className = "small offline-state state-" + state;
  }

  function scorable() {
    return kit.contestants.filter(function (c) {
      return !c.absent && !c.recused;
    });
  }

  function showKept() {
    if (stateEl && stateEl.dataset.state === "closed") return;
    if (!kit) return show(refused ? t.tStorage : "", refused ? "refused" : "none");
    if (refused) return show(t.tStorage, "refused");
    var total = scorable().length;
    if (worker === false) {
      if (navigator.onLine === false) return show(t.tReload, "reload");
      return show(fmt(t.tNoWorker, { total: total }), "no-worker");
    }
    if (!kept) return show(t.tKeeping, "keeping");
    show(fmt(t.tKept, { kept: total, total: total }), "kept");
  }

  function pending(id) {
    var key = keyOf(id);
    return sheet.outbox().filter(function (e) {
      return e.key === key && (e.user === undefined || String(e.user) === t.user);
    }).length;
  }

  /* The list, contestant by contestant: what waits to be sent, what the server did not take. */
  function decorate(withStatus) {
    var rows = document.querySelectorAll("#contestants [data-contestant]");
    Array.prototype.forEach.call(rows, function (row) {
      var id = row.dataset.contestant;
      var note = row.querySelector(".offline-note");
      if (!note) {
        note = document.createElement("span");
        note.className = "offline-note d-block small";
        row.appendChild(note);
      }
      var n = pending(id);
      var no = sheet.read("leitai:refused:" + keyOf(id), null);
      var unsent = !n && !no && typedOnly(id);
      var server = (kit && kit.sheets[id] && kit.sheets[id].status) || row.dataset.status || "none";
      var saved = server === "draft" || server === "submitted";
      note.textContent = [
        n ? fmt(t.tPending, { n: n }) : "",
        no ? t.tNotAccepted + " " + no.message + " " + typed(id) : "",
        unsent ? (saved ? t.tUnsentChanges : t.tUnsent) : "",
      ]
        .join(" ")
        .trim();
      note.hidden = !note.textContent;
      note.classList.toggle("text-danger", !!no);
      var status = row.querySelector(".status");
      var waiting = n && localSheet(id);
      if (waiting && status) {
        /* What the phone holds and has not sent: no tick until the server has it. */
        status.className = "float-end small status sheet-waiting";
        status.textContent =
          waiting.status === "submitted" ? fmt(t.tWaitingSubmitted, { points: sum(waiting.points) }) : t.tWaitingDraft;
      } else if (unsent && !saved && status) {
        status.className = "float-end small status sheet-typed";
        status.textContent = t.tNotSent;
      } else if (withStatus && kit && row.tagName === "A") {
        var s = kit.sheets[id];
        if (status) {
          status.className = "float-end small status sheet-" + (s ? s.status : "none");
          status.textContent = statusText(s);
        }
      }
    });
    if (withStatus && kit) progress();
  }

  /* Typed on this phone and not sent: neither Save draft nor Submit was pressed. The server
     knows nothing of it, so the list's status alone would say "not started". */
  function typedOnly(id) {
    var kept = sheet.read("leitai:sheet:" + keyOf(id), null);
    if (!kept || kept.version || !kept.fields) return false;
    return Object.keys(kept.fields).some(function (name) {
      var typedField = name.indexOf("p-") === 0 || name === "comment" || name === "problems";
      return typedField && String(kept.fields[name]).trim() !== "";
    });
  }

  /* What the judge typed and the server did not take, item by item: it stays on the phone. */
  function typed(id) {
    var kept = sheet.read("leitai:sheet:" + keyOf(id), null);
    if (!kept || !kept.fields) return "";
    var items = (kit ? kit.criteria : []).map(function (k) {
      var value = kept.fields["p-" + k.code];
      return value ? k.label + " " + value : "";
    });
    var shown = items.filter(Boolean).join(" · ");
    return shown ? t.tKeptTyped + " " + shown : t.tKeptTyped;
  }

  /* The sheet as the outbox's last entry for it has it. */
  function localSheet(id) {
    var entries = sheet.outbox().filter(function (e) {
      return e.key === keyOf(id);
    });
    if (!entries.length) return null;
    var last = entries[entries.length - 1];
    var body = new URLSearchParams(last.body);
    var points = {};
    body.forEach(function (value, name) {
      if (name.indexOf("p-") === 0 && value.trim() !== "" && !isNaN(parseFloat(value))) points[name.slice(2)] = value.trim();
    });
    var before = kit && kit.sheets[id];
    var submitted = last.action === "submit" || (before && before.status === "submitted");
    return { status: submitted ? "submitted" : "draft", points: points };
  }

  function statusText(s) {
    if (!s) return t.tNone;
    if (s.status === "submitted") return "✓ " + fmt(t.tSubmittedPoints, { points: sum(s.points) });
    return t.tDraft;
  }

  function sum(points) {
    var halves = 0;
    Object.keys(points || {}).forEach(function (code) {
      halves += Math.round(parseFloat(points[code]) * 2);
    });
    return String(halves / 2);
  }

  function progress() {
    var counted = scorable();
    var done = counted.filter(function (c) {
      var s = kit.sheets[c.id];
      return s && s.status === "submitted";
    }).length;
    var bar = document.getElementById("progress-bar");
    var text = document.getElementById("progress-text");
    if (bar) {
      bar.max = counted.length || 1;
      bar.value = done;
    }
    if (text) text.textContent = fmt(t.tProgress, { done: done, total: counted.length });
  }

  /* ---- drawing from the kit ---- */

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") el.textContent = value;
      else el.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child) el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return el;
  }

  function sheetUrl(id) {
    return t.list + id + "/";
  }

  function route(path) {
    if (path === t.list) return { list: true };
    if (path.indexOf(t.list) !== 0) return null;
    var m = /^(\d+)\/$/.exec(path.slice(t.list.length));
    return m ? { contestant: m[1] } : null;
  }

  function find(id) {
    for (var i = 0; i < kit.contestants.length; i += 1) {
      if (String(kit.contestants[i].id) === String(id)) return kit.contestants[i];
    }
    return null;
  }

  function neighbour(c, step) {
    var open = kit.contestants.filter(function (x) {
      return !x.absent;
    });
    var at = open.indexOf(c);
    return at < 0 ? null : open[at + step] || null;
  }

  function head(c) {
    var parts = [
      h("div", { class: "sheet-head mb-2" }, [
        h("div", { class: "small text-body-secondary", text: kit.competition.title }),
        h("h1", { class: "h4 mb-0" }, [h("span", { class: "badge text-bg-secondary me-1", text: String(c.order) }), c.name]),
        h("div", { class: "text-body-secondary", text: c.village + " · " + c.street }),
      ]),
    ];
    if (c.carried.length) {
      parts.push(
        h(
          "div",
          { class: "alert alert-warning py-2 small carried-over" },
          c.carried.map(function (p) {
            return h("div", {}, [
              fmt(t.tCarried, { year: p.year, quarter: p.quarter }) + " " + p.text + " ",
              h("span", { class: "text-body-secondary", text: "(" + p.status + ")" }),
            ]);
          })
        )
      );
    }
    return parts;
  }

  function sheetForm(c) {
    var saved = kit.sheets[c.id] || { version: 0, status: "none", points: {}, comment: "", problems: [] };
    var submitted = saved.status === "submitted";
    var next = neighbour(c, 1);
    var rows = kit.criteria.map(function (k) {
      return h("div", { class: "criterion mb-3" }, [
        h("label", { class: "form-label fw-bold d-flex justify-content-between", for: "p-" + k.code }, [
          h("span", { text: k.label }),
          h("span", { class: "text-body-secondary text-nowrap ms-2", text: "/ " + k.max }),
        ]),
        h("input", {
          class: "form-control form-control-lg points",
          type: "text",
          inputmode: "decimal",
          autocomplete: "off",
          name: "p-" + k.code,
          id: "p-" + k.code,
          "data-max": k.max,
          "aria-describedby": "e-" + k.code,
          value: saved.points[k.code] || "",
        }),
        h("div", { class: "invalid-feedback", id: "e-" + k.code }),
        h("details", { class: "small text-body-secondary mt-1" }, [h("summary", { text: t.tGuidance }), k.guidance]),
      ]);
    });
    var form = h(
      "form",
      {
        method: "post",
        action: sheetUrl(c.id),
        id: "sheet",
        class: "sheet",
        "data-key": keyOf(c.id),
        "data-version": String(saved.version),
        "data-maximum": kit.competition.maximum,
        "data-status": saved.status,
        "data-who": c.name,
        novalidate: true,
      },
      [
        h("input", { type: "hidden", name: "csrfmiddlewaretoken", value: t.csrf }),
        h("input", { type: "hidden", name: "version", value: String(saved.version + 1) }),
      ]
        .concat(rows)
        .concat([
          h("div", { class: "total-bar sticky-bottom bg-body border-top py-2 mb-3" }, [
            h("div", { class: "d-flex justify-content-between fw-bold" }, [
              h("span", {}, [t.tTotal + " ", h("output", { id: "total", text: "0" }), " / " + kit.competition.maximum]),
              h("span", {}, [h("output", { id: "percent", text: "0" }), "%"]),
            ]),
            h("div", { class: "small", id: "missing", "aria-live": "polite" }),
          ]),
          h("div", { class: "mb-3" }, [
            h("label", { class: "form-label", for: "comment", text: t.tComment }),
            h("textarea", { class: "form-control", name: "comment", id: "comment", rows: "3" }),
          ]),
          h("div", { class: "mb-3" }, [
            h("label", { class: "form-label", for: "problems", text: t.tProblems }),
            h("textarea", { class: "form-control", name: "problems", id: "problems", rows: "3" }),
          ]),
          h("p", { class: "small sheet-state", id: "sheet-state", role: "status", hidden: true }),
          h("p", { class: "small text-body-secondary", id: "revise-note", hidden: !submitted, text: t.tReviseNote }),
          h("div", { class: "d-grid gap-2 d-flex" }, [
            h("button", {
              type: "submit",
              name: "action",
              value: "draft",
              id: "save-draft",
              class: "btn btn-outline-secondary btn-lg flex-fill",
              hidden: submitted,
              text: t.tSaveDraft,
            }),
            h("button", {
              type: "submit",
              name: "action",
              value: "submit",
              id: "save-submit",
              class: "btn btn-leitai btn-lg flex-fill",
              "data-revise": t.tRevise,
              text: submitted ? t.tRevise : t.tSubmit,
            }),
          ]),
        ])
    );
    form.elements.comment.value = saved.comment || "";
    form.elements.problems.value = (saved.problems || []).join("\n");
    var parts = [];
    if (saved.status === "submitted" || saved.status === "draft") {
      parts.push(
        h("div", {
          class: "alert py-2 " + (submitted ? "alert-success" : "alert-secondary"),
          id: "sheet-status",
          text: submitted ? t.submitted : t.draft,
        })
      );
    }
    parts.push(h("div", { class: "alert alert-warning", id: "sheet-closed", role: "alert", hidden: true }));
    parts.push(
      h("div", { class: "alert alert-success submitted-box", id: "submitted-box", role: "status", tabindex: "-1", hidden: true }, [
        h("div", { class: "fw-bold", id: "submitted-line" }),
        h("div", { class: "small", text: t.submitted }),
        h("a", {
          class: "btn btn-leitai mt-2",
          id: "go-next",
          href: next ? sheetUrl(next.id) : t.list,
          text: next ? fmt(t.tNext, { name: next.name }) + " ›" : t.tBack,
        }),
      ])
    );
    parts.push(form);
    return parts;
  }

  function nav(c) {
    var previous = neighbour(c, -1);
    var next = neighbour(c, 1);
    return h("nav", { class: "d-flex justify-content-between mt-4", "aria-label": t.tContestants }, [
      previous ? h("a", { class: "btn btn-outline-secondary", href: sheetUrl(previous.id), text: "‹ " + previous.name }) : h("span"),
      h("a", { class: "btn btn-link", href: t.list, text: t.tAll }),
      next ? h("a", { class: "btn btn-outline-secondary", href: sheetUrl(next.id), text: next.name + " ›" }) : h("span"),
    ]);
  }

  function drawSheet(id) {
    var c = kit && find(id);
    if (!c) return place([h("div", { class: "alert alert-warning", role: "alert", text: t.tNotKept })]);
    var parts = head(c);
    if (!kit.seat.active || c.absent || c.recused) {
      parts.push(h("div", { class: "alert alert-secondary", id: "not-scored", role: "status", text: c.absent ? t.tAbsent : t.tRecused }));
    } else parts = parts.concat(sheetForm(c));
    parts.push(nav(c));
    place(parts);
    document.title = c.name;
    sheet.attach(document.getElementById("sheet"));
  }

  function drawList() {
    if (!kit) return place([h("div", { class: "alert alert-warning", role: "alert", text: t.tNotKept })]);
    var rows = kit.contestants.map(function (c) {
      var badge = h("span", { class: "badge text-bg-secondary me-2", text: String(c.order) });
      var label = c.name + " · " + c.village;
      if (c.absent || c.recused || !kit.seat.active) {
        return h("div", { class: "list-group-item py-3 text-body-secondary", "data-contestant": String(c.id) }, [
          badge,
          label,
          h("span", { class: "float-end small", text: c.absent ? t.tAbsent : t.tRecused }),
        ]);
      }
      return h("a", { class: "list-group-item list-group-item-action py-3", href: sheetUrl(c.id), "data-contestant": String(c.id) }, [
        badge,
        label,
        h("span", { class: "float-end small status" }),
      ]);
    });
    place([
      h("h1", { class: "h5", text: kit.competition.title }),
      h("progress", { class: "leitai-progress mb-1", id: "progress-bar", value: "0", max: "1" }),
      h("p", { class: "small mb-3", id: "progress-text" }),
      h("div", { class: "list-group", id: "contestants" }, rows),
      h("p", { class: "small mt-3 outbox-state", id: "outbox-state", hidden: true }),
    ]);
    document.title = kit.competition.title;
    sheet.attach(null);
    decorate(true);
  }

  /* What was drawn takes the place of the page's own content; the texts, the sign-in box and
     the offline state stay. */
  function place(parts) {
    var keep = { "outbox-texts": 1, "signin-again": 1, "offline-state": 1 };
    Array.prototype.slice.call(main.children).forEach(function (child) {
      if (!keep[child.id]) main.removeChild(child);
    });
    drawn = h("div", { id: "drawn" }, parts);
    main.appendChild(drawn);
    window.scrollTo(0, 0);
  }

  function draw(path) {
    var where = route(path);
    if (!where) return false;
    if (where.list) drawList();
    else drawSheet(where.contestant);
    showKept();
    return true;
  }

  /* Without a service worker, offline: move between contestants on this page. */
  function intercept(event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || worker !== false || navigator.onLine !== false || !kit) return;
    var url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || !route(url.pathname)) return;
    event.preventDefault();
    window.history.pushState({ leitai: true }, "", url.pathname);
    draw(url.pathname);
  }

  /* ---- starting ---- */

  var here = route(window.location.pathname);
  /* The service worker answered a sheet's address with the kept list (the shell): draw it. */
  if (here && here.contestant && document.getElementById("contestants")) draw(window.location.pathname);
  else decorate(false);

  document.addEventListener("click", intercept);
  window.addEventListener("popstate", function () {
    if (drawn || (worker === false && navigator.onLine === false)) draw(window.location.pathname);
  });
  window.addEventListener("offline", showKept);
  window.addEventListener("online", function () {
    showKept();
    refreshKit().then(showKept);
  });
  window.addEventListener("beforeunload", function (event) {
    /* No service worker and no network: a reload would show the browser's error page. */
    if (worker === false && navigator.onLine === false) {
      event.preventDefault();
      event.returnValue = t.tReload;
    }
  });
  window.addEventListener("leitai:answer", function (event) {
    var detail = event.detail;
    var id = detail.entry.key.split(":")[1];
    if (detail.result === "applied" && kit) {
      var body = new URLSearchParams(detail.entry.body);
      var points = {};
      body.forEach(function (value, name) {
        if (name.indexOf("p-") === 0 && value.trim() !== "") points[name.slice(2)] = value.trim();
      });
      kit.sheets[id] = {
        version: detail.data.version,
        status: detail.data.status,
        points: points,
        comment: body.get("comment") || "",
        problems: (body.get("problems") || "").split("\n").filter(function (line) {
          return line.trim() !== "";
        }),
      };
      storeKit();
    }
    decorate(detail.result === "applied");
  });
  /* Signing out leaves nothing of this judge's competitions on the phone. The form goes as ever
     (nothing here may hold up a sign-out): the kits go at once, the kept pages are deleted here
     and by the service worker, which sees the sign-out go by and finishes after the page has
     gone. */
  Array.prototype.forEach.call(document.querySelectorAll("form[action='" + t.logout + "']"), function (out) {
    out.addEventListener("submit", function () {
      forgetAll();
    });
  });

  /* A service worker counts once it controls this page: some in-app browsers register one and
     never let it answer (and Chromium with service workers blocked does the same). */
  function findWorker() {
    var sw = navigator.serviceWorker;
    if (!sw || !sw.register) return Promise.resolve(false);
    return sw.register(t.sw).then(
      function () {
        if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
        if (sw.controller) return true;
        return new Promise(function (resolve) {
          sw.addEventListener("controllerchange", function () {
            resolve(true);
          });
          window.setTimeout(function () {
            resolve(!!sw.controller);
          }, 3000);
        });
      },
      function () {
        return false;
      }
    );
  }

  var registered = findWorker().then(function (found) {
    worker = found;
  });
  showKept();
  registered
    .then(refreshKit)
    .then(function () {
      showKept();
      decorate(!!drawn || !!document.getElementById("contestants"));
    });
})();
