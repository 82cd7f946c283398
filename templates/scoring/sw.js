{% load static %}/* The judge's phone's service worker. It keeps nothing by itself: a judge's page puts the
   competition's list page (the shell), its styles and scripts into the cache "leitai-judge-<id>"
   (static/js/offline.js). Online, pages come from the network as ever; when the network fails, a
   judge page of a kept competition is answered with the kept shell, and the page draws the sheet
   or the list from the kept kit. Signing out removes every kept competition. */
"use strict";

var PREFIX = "leitai-judge-";
var STATIC = "{% get_static_prefix %}";
var ROOT = "{{ judge_root }}";
var JUDGE = new RegExp("^" + ROOT + "(\\d+)/(\\d+/)?$");
var LOGOUT = "{% url 'logout' %}";
var PATIENCE_MS = 10000; /* one bar of signal: past this, the kept shell is the better answer */

function forget() {
  return caches.keys().then(function (names) {
    return Promise.all(
      names
        .filter(function (name) {
          return name.indexOf(PREFIX) === 0;
        })
        .map(function (name) {
          return caches.delete(name);
        })
    );
  });
}

function shell(competition) {
  return caches.open(PREFIX + competition).then(function (cache) {
    return cache.match(ROOT + competition + "/").then(function (hit) {
      return hit || Promise.reject(new Error("not kept"));
    });
  });
}

function networkOrShell(request, competition) {
  var network = fetch(request);
  var late = new Promise(function (resolve, reject) {
    setTimeout(reject, PATIENCE_MS);
  });
  return Promise.race([network, late]).catch(function () {
    return shell(competition).catch(function () {
      return network; /* nothing kept: the browser's own answer */
    });
  });
}

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === LOGOUT) {
    event.waitUntil(forget());
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.indexOf(STATIC) === 0) {
    /* Static files are named by their content: a kept copy is the right one. A store that
       fails to answer (full, or broken in some in-app browsers) must not cost the page its
       styles and scripts: the network answers instead. */
    event.respondWith(
      caches
        .match(request, { ignoreVary: true })
        .catch(function () {
          return undefined;
        })
        .then(function (hit) {
          return hit || fetch(request);
        })
    );
    return;
  }
  var judge = JUDGE.exec(url.pathname);
  if (judge && request.mode === "navigate") event.respondWith(networkOrShell(request, judge[1]));
});
