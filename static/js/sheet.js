/* The judge's score sheet: each item checked as it is typed, a running total of the valid
   items, a copy on the device as it is typed, and an outbox that sends each save, retrying by
   itself until the server has answered it. The server applies each version once and never lets
   an older one replace a newer one.

   Nothing is taken off the device until the save endpoint itself has answered in JSON: a sign-in
   page (an expired session), a proxy's error page or a captive portal is not an answer, and the
   sheet waits in the outbox. Signed out, the judge is asked to sign in again and the outbox sends
   itself afterwards; a stale CSRF token is fetched afresh. */
(function () {
  "use strict";

  var OUTBOX = "leitai:outbox";
  var LOCAL = "leitai:sheet:";
  var REFUSED = "leitai:refused:"; /* per sheet: why the server did not take what was typed */
  var RETRY_MS = 5000;
  var NUMBER = /^[0-9]+(\.[0-9]*)?$|^\.[0-9]+$/;
  var ANSWERS = [
    "applied", "duplicate", "stale", "invalid", "refused", "not_yours", "signed_out", "csrf", "unavailable",
  ];
  var textsEl = document.getElementById("outbox-texts");
  var texts = (textsEl || {}).dataset || {};
  var form = null;
  var stateLine = null;
  var signInBox = document.getElementById("signin-again");
  var sending = false;
  var timer = null;
  var tokenRefreshed = false;
  var skipped = {}; /* entries the server said belong to another judge's sign-in */

  function read(key, fallback) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) {
      return fallback;
    }
  }

  function write(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* Private mode or a full disk: the sheet still works online. */
    }
  }

  function fmt(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, name) {
      return name in values ? values[name] : all;
    });
  }

  function say(text, kind) {
    if (!stateLine) return;
    stateLine.hidden = false;
    stateLine.textContent = text;
    stateLine.className = "small sheet-state state-" + kind;
    stateLine.dataset.state = kind;
  }

  /* ---- the outbox, shared by every judge page ---- */

  function outbox() {
    return read(OUTBOX, []);
  }

  /* A phone may be handed from one judge to the next: each sends only what it typed. */
  function mine(entry) {
    return (entry.user === undefined || String(entry.user) === texts.user) && !skipped[entry.key];
  }

  function own() {
    return outbox().filter(mine);
  }

  function schedule() {
    if (timer === null && own().length) {
      timer = window.setTimeout(function () {
        timer = null;
        flush();
      }, RETRY_MS);
    }
  }

  function drop(entry) {
    write(
      OUTBOX,
      outbox().filter(function (e) {
        return !(e.key === entry.key && e.version === entry.version);
      })
    );
  }

  /* The entry's body with this page's CSRF token: a token typed into the body hours ago is
     stale once the judge has signed in again. */
  function withToken(body) {
    var params = new URLSearchParams(body);
    if (texts.csrf) params.set("csrfmiddlewaretoken", texts.csrf);
    return params;
  }

  /* A fresh token from this page's own address, after a refusal for a stale one. */
  function refreshToken() {
    return fetch(window.location.href.split("#")[0], { credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        if (response.type === "opaqueredirect") {
          /* The page itself sends to the sign-in page: the session is gone too. */
          signedOut(true);
          say(texts.signedOut, "signed-out");
          return false;
        }
        if (!response.ok) return false;
        return response.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("outbox-texts");
          if (!fresh || !fresh.dataset.csrf) return false;
          texts.csrf = fresh.dataset.csrf;
          if (textsEl) textsEl.dataset.csrf = fresh.dataset.csrf;
          return true;
        });
      })
      .catch(function () {
        return false;
      });
  }

  function signedOut(show) {
    if (!signInBox || signInBox.hidden === !show) return;
    signInBox.hidden = !show;
    if (show) signInBox.scrollIntoView({ block: "nearest" });
  }

  /* What to do with the endpoint's own answer. True when the entry is done with (applied, or
     refused for a reason the judge must act on); false to keep it and send it again. */
  function settle(entry, response, data) {
    var isMine = form && form.dataset.key === entry.key;
    var result = data.result;
    if (result === "signed_out") {
      signedOut(true);
      say(texts.signedOut, "signed-out");
      return false;
    }
    signedOut(false);
    if (result === "unavailable") {
      say(texts.unavailable, "offline");
      return false;
    }
    if (result === "not_yours") {
      skipped[entry.key] = true; /* kept for the judge who typed it */
      return false;
    }
    if (result === "applied" || result === "duplicate") {
      write(LOCAL + entry.key, null);
      write(REFUSED + entry.key, null);
      tell("applied", entry, data);
      if (isMine) {
        form.dataset.version = String(data.version);
        form.elements.version.value = String(data.version + 1);
        saved(entry, data);
      }
      return true;
    }
    if (result === "stale") {
      /* Another version got there first (a second phone, or the paper sheet typed by staff).
         What this judge typed stays, on the page and on the device, to check and send again. */
      var kept = read(LOCAL + entry.key, null);
      if (kept) write(LOCAL + entry.key, { base: data.version, version: null, fields: kept.fields });
      write(REFUSED + entry.key, { result: result, message: texts.stale, version: data.version });
      tell("stale", entry, data);
      if (isMine) {
        form.dataset.version = String(data.version);
        form.elements.version.value = String(data.version + 1);
        say(texts.stale, "stale");
      }
      return true;
    }
    /* invalid or refused: sending again would be refused again; the device copy stays, and
       the list says, sheet by sheet, what was not accepted. */
    var errors = data.errors || {};
    var reason = errors.refused || Object.keys(errors).map(function (k) {
      return errors[k];
    }).join(" ");
    write(REFUSED + entry.key, { result: result, message: reason || texts.fix, version: data.version });
    tell(result, entry, data);
    if (isMine && result === "refused") closeSheet((data.errors || {}).refused || "");
    else if (isMine) showErrors(data.errors || {});
    else if (!form) {
      /* Sent from the list: say so here; the typing stays on the device. */
      say(texts.refused + " " + (errors.refused || texts.fix), "refused");
    }
    return true;
  }

  /* The server will not take this sheet now (the contestant was marked absent, the judge
     recused or taken off the panel, scoring closed): say why, and stop the typing. */
  function closeSheet(message) {
    var box = document.getElementById("sheet-closed");
    if (box) {
      box.textContent = message;
      box.hidden = false;
      box.scrollIntoView({ block: "nearest" });
    }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.type !== "hidden") el.disabled = true;
    });
    say(texts.refused + " " + message, "refused");
  }

  /* Other scripts of the judge's pages (offline.js) follow the outbox's answers. */
  function tell(result, entry, data) {
    window.dispatchEvent(new CustomEvent("leitai:answer", { detail: { result: result, entry: entry, data: data } }));
  }

  /* The line above the form that says what the server holds, as a reload would draw it. */
  function showStatus(submitted) {
    var line = document.getElementById("sheet-status");
    if (!line) return;
    line.textContent = submitted ? texts.submitted : texts.draft;
    line.classList.toggle("alert-success", submitted);
    line.classList.toggle("alert-secondary", !submitted);
  }

  function saved(entry, data) {
    form.dataset.status = data.status;
    if (data.status !== "submitted") {
      showStatus(false);
      say(texts.draft, "sent");
      return;
    }
    showStatus(true);
    say(texts.submitted, "sent");
    /* From now on a save revises the submitted sheet, and the buttons say so. */
    var draft = document.getElementById("save-draft");
    var send = document.getElementById("save-submit");
    if (draft) draft.hidden = true;
    if (send) send.textContent = send.dataset.revise;
    document.getElementById("revise-note").hidden = false;
    var box = document.getElementById("submitted-box");
    if (box && entry.action === "submit") {
      document.getElementById("submitted-line").textContent = fmt(texts.submittedLine, {
        who: form.dataset.who,
        total: data.total,
        maximum: data.maximum,
        percent: data.percent,
      });
      box.hidden = false;
      /* The box says it is submitted: the line above it would say it twice. */
      var line = document.getElementById("sheet-status");
      if (line) line.hidden = true;
      box.scrollIntoView({ block: "start" });
      box.focus({ preventScroll: true });
    }
  }

  function flush() {
    var queue = own();
    if (sending || !queue.length) return;
    if (navigator.onLine === false) {
      say(texts.offline, "offline");
      schedule();
      return;
    }
    sending = true;
    var entry = queue[0];
    var body = withToken(entry.body);
    body.set("seat", entry.key.split(":")[2]);
    fetch(entry.url, {
      method: "POST",
      body: body.toString(),
      credentials: "same-origin",
      redirect: "manual", /* a redirect is never the endpoint's answer */
      headers: {
        Accept: "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": body.get("csrfmiddlewaretoken") || "",
      },
    })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return (json ? response.json() : Promise.reject(response))
          .then(function (data) {
            if (!data || ANSWERS.indexOf(data.result) < 0) return Promise.reject(response);
            if (data.result === "csrf") {
              sending = false;
              if (tokenRefreshed) {
                schedule();
                return;
              }
              tokenRefreshed = true;
              return refreshToken().then(flush);
            }
            tokenRefreshed = false;
            sending = false;
            if (settle(entry, response, data)) {
              drop(entry);
              flush();
            } else schedule();
          })
          .catch(function (notOurs) {
            /* A sign-in page, a redirect, a proxy's error: keep the sheet, try again. */
            sending = false;
            if (notOurs && notOurs.type === "opaqueredirect") {
              signedOut(true);
              say(texts.signedOut, "signed-out");
            } else if (!form || form.dataset.key === entry.key) say(texts.unavailable, "offline");
            schedule();
          });
      })
      .catch(function () {
        sending = false;
        if (!form || form.dataset.key === entry.key) say(texts.offline, "offline");
        schedule();
      });
    showWaiting();
  }

  function showWaiting() {
    if (form) return;
    var n = own().length;
    if (n) say(texts.waiting + " " + n, "offline");
    else if (stateLine && ["signed-out", "refused"].indexOf(stateLine.dataset.state) < 0) stateLine.hidden = true;
  }

  /* ---- the sheet page ---- */

  function items() {
    return Array.prototype.slice.call(form.querySelectorAll("input.points"));
  }

  function fields() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.name !== "csrfmiddlewaretoken" && el.name !== "version" && el.type !== "submit") {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function restore(values) {
    Object.keys(values).forEach(function (name) {
      var el = form.elements[name];
      if (el && el.type !== "submit") el.value = values[name];
    });
  }

  /* The item's fault as the server would name it, or "" when it is fine. Blank is a fault
     only when `required`. Points are counted in halves, so no float rounding creeps in. */
  function fault(el, required) {
    var raw = el.value.trim();
    if (raw === "") return required ? texts.eRequired : "";
    if (raw.charAt(0) === "-" && NUMBER.test(raw.slice(1))) return texts.eNegative;
    if (!NUMBER.test(raw)) return texts.eNumber;
    var value = parseFloat(raw);
    if (value > parseFloat(el.dataset.max)) return fmt(texts.eMax, { max: el.dataset.max });
    if (Math.abs(value * 2 - Math.round(value * 2)) > 1e-9) return texts.eStep;
    return "";
  }

  function mark(el, message) {
    var box = document.getElementById("e-" + el.name.slice(2));
    el.classList.toggle("is-invalid", !!message);
    if (message) el.setAttribute("aria-invalid", "true");
    else el.removeAttribute("aria-invalid");
    if (box) {
      box.textContent = message;
      box.classList.toggle("d-block", !!message);
    }
  }

  function total() {
    var halves = 0;
    var missing = 0;
    var wrong = 0;
    items().forEach(function (el) {
      if (el.value.trim() === "") missing += 1;
      else if (fault(el, false)) wrong += 1;
      else halves += Math.round(parseFloat(el.value) * 2);
    });
    var sum = halves / 2;
    var max = parseFloat(form.dataset.maximum) || 0;
    document.getElementById("total").textContent = String(sum);
    document.getElementById("percent").textContent = max ? (Math.round((sum / max) * 10000) / 100).toFixed(2) : "0";
    var line = document.getElementById("missing");
    if (line) {
      var parts = [];
      if (missing) parts.push(missing === 1 ? texts.missingOne : fmt(texts.missing, { n: missing }));
      if (wrong) parts.push(wrong === 1 ? texts.wrongOne : fmt(texts.wrong, { n: wrong }));
      /* Chinese sentences end in a full-width stop and follow each other without a space. */
      var gap = /[。！？]$/.test(parts[0] || "") ? "" : " ";
      line.textContent = parts.length ? parts.join(gap) : texts.complete;
    }
  }

  /* The server's refusal, shown as the page shows its own: each item's message under it. */
  function showErrors(errors) {
    var other = [];
    items().forEach(function (el) {
      mark(el, "");
    });
    Object.keys(errors).forEach(function (field) {
      var el = form.elements["p-" + field];
      if (el) mark(el, errors[field]);
      else other.push(errors[field]);
    });
    say(texts.refused + " " + (other.length ? other.join(" ") : texts.fix), "refused");
    firstFault();
  }

  function firstFault() {
    var first = form.querySelector("input.points.is-invalid");
    if (first) {
      first.scrollIntoView({ block: "center" });
      first.focus({ preventScroll: true });
    }
  }

  function keepTyped(event) {
    if (event && event.target && event.target.classList.contains("points")) {
      mark(event.target, fault(event.target, false));
    }
    if (stateLine && stateLine.dataset.state === "refused" && !form.querySelector(".is-invalid")) {
      say(texts.typing, "typing");
    }
    var key = LOCAL + form.dataset.key;
    var kept = read(key, {});
    write(key, {
      base: Number(form.dataset.version),
      version: kept.version || null,
      fields: fields(),
    });
    total();
  }

  function submit(event) {
    event.preventDefault();
    var action = (event.submitter && event.submitter.value) || "draft";
    var required = action === "submit" || form.dataset.status === "submitted";
    var faults = 0;
    items().forEach(function (el) {
      var message = fault(el, required);
      mark(el, message);
      if (message) faults += 1;
    });
    if (faults) {
      say(texts.fix, "refused");
      firstFault();
      return;
    }
    var queue = outbox();
    var pending = queue
      .filter(function (e) {
        return e.key === form.dataset.key;
      })
      .map(function (e) {
        return e.version;
      });
    var version = Math.max.apply(null, [Number(form.dataset.version)].concat(pending)) + 1;
    var body = new URLSearchParams(new FormData(form));
    body.set("version", String(version));
    body.set("action", action);
    queue.push({
      key: form.dataset.key,
      url: window.location.href.split("#")[0],
      body: body.toString(),
      version: version,
      action: action,
      user: texts.user,
    });
    write(OUTBOX, queue);
    write(REFUSED + form.dataset.key, null);
    tell("queued", queue[queue.length - 1], {});
    write(LOCAL + form.dataset.key, {
      base: Number(form.dataset.version),
      version: version,
      fields: fields(),
    });
    say(texts.pending, "pending");
    flush();
  }

  /* Take on the page's sheet, or one offline.js has just drawn from the kept kit (then
     `el` is that form, or null for the list). */
  function attach(el) {
    form = el;
    stateLine = document.getElementById("sheet-state") || document.getElementById("outbox-state");
    if (!form) {
      showWaiting();
      return;
    }
    var kept = read(LOCAL + form.dataset.key, null);
    var refused = read(REFUSED + form.dataset.key, null);
    if (kept && kept.fields && kept.base >= Number(form.dataset.version)) {
      restore(kept.fields);
      say(kept.version ? texts.offline : texts.typing, kept.version ? "offline" : "typing");
    }
    if (refused && refused.message) say(texts.refused + " " + refused.message, "refused");
    items().forEach(function (el) {
      if (el.value.trim() !== "" && !el.classList.contains("is-invalid")) mark(el, fault(el, false));
    });
    form.addEventListener("input", keepTyped);
    form.addEventListener("submit", submit);
    total();
  }

  window.leitaiSheet = { attach: attach, flush: flush, outbox: outbox, read: read, write: write };
  attach(document.getElementById("sheet"));
  window.addEventListener("online", flush);
  flush();
  showWaiting();
})();
