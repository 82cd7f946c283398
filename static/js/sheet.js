/* The judge's score sheet: running total, a copy on the device as it is typed, and an outbox
   that sends each submit, retrying by itself until the network returns. The server applies each
   version once and never lets an older one replace a newer one. */
(function () {
  "use strict";

  var OUTBOX = "leitai:outbox";
  var LOCAL = "leitai:sheet:";
  var RETRY_MS = 5000;
  var texts = (document.getElementById("outbox-texts") || {}).dataset || {};
  var form = document.getElementById("sheet");
  var stateLine = document.getElementById("sheet-state") || document.getElementById("outbox-state");
  var sending = false;
  var timer = null;

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

  function schedule() {
    if (timer === null && outbox().length) {
      timer = window.setTimeout(function () {
        timer = null;
        flush();
      }, RETRY_MS);
    }
  }

  function csrf(body) {
    return new URLSearchParams(body).get("csrfmiddlewaretoken") || "";
  }

  function settle(entry, response, data) {
    var mine = form && form.dataset.key === entry.key;
    if (response.status === 200 || response.status === 409) {
      write(LOCAL + entry.key, null);
      if (mine) {
        form.dataset.version = String(data.version);
        form.elements.version.value = String(data.version + 1);
        if (response.status === 409) say(texts.stale, "stale");
        else {
          say(texts.sent + " " + data.version + ".", "sent");
          form.dataset.status = data.status;
          if (entry.action === "submit" && form.dataset.next && data.result === "applied") {
            window.location.href = form.dataset.next;
          }
        }
      }
      return true;
    }
    if (response.status === 400 || response.status === 403) {
      if (mine) showErrors(data.errors || {});
      return true; /* Sending again would be refused again: the judge must act. */
    }
    return false; /* A server error: keep it and try again later. */
  }

  function flush() {
    var queue = outbox();
    if (sending || !queue.length) return;
    if (navigator.onLine === false) {
      say(texts.offline, "offline");
      schedule();
      return;
    }
    sending = true;
    var entry = queue[0];
    fetch(entry.url, {
      method: "POST",
      body: entry.body,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": csrf(entry.body),
      },
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (data) {
            if (settle(entry, response, data)) {
              write(
                OUTBOX,
                outbox().filter(function (e) {
                  return !(e.key === entry.key && e.version === entry.version);
                })
              );
              sending = false;
              flush();
            } else {
              sending = false;
              schedule();
            }
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
    var n = outbox().length;
    if (n) say(texts.waiting + " " + n, "offline");
    else if (stateLine) stateLine.hidden = true;
  }

  /* ---- the sheet page ---- */

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

  function total() {
    var sum = 0;
    form.querySelectorAll("input.points").forEach(function (el) {
      var v = parseFloat(el.value);
      if (!isNaN(v)) sum += v;
    });
    var max = parseFloat(form.dataset.maximum) || 0;
    document.getElementById("total").textContent = String(Math.round(sum * 100) / 100);
    document.getElementById("percent").textContent = max ? (sum / max * 100).toFixed(2) : "0";
  }

  function showErrors(errors) {
    var messages = [];
    form.querySelectorAll(".is-invalid").forEach(function (el) {
      el.classList.remove("is-invalid");
    });
    Object.keys(errors).forEach(function (field) {
      var el = form.elements["p-" + field];
      if (el) el.classList.add("is-invalid");
      messages.push(errors[field]);
    });
    say(texts.refused + " " + messages.join(" "), "refused");
  }

  function keepTyped() {
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
    });
    write(OUTBOX, queue);
    write(LOCAL + form.dataset.key, {
      base: Number(form.dataset.version),
      version: version,
      fields: fields(),
    });
    say(texts.pending, "pending");
    flush();
  }

  if (form) {
    var kept = read(LOCAL + form.dataset.key, null);
    if (kept && kept.fields && kept.base >= Number(form.dataset.version)) {
      restore(kept.fields);
      say(kept.version ? texts.offline : texts.typing, kept.version ? "offline" : "typing");
    }
    form.addEventListener("input", keepTyped);
    form.addEventListener("submit", submit);
    total();
  }
  window.addEventListener("online", flush);
  flush();
  showWaiting();
})();
