/* dxmonitor's service worker: keeps the entry pages of the signed-in officer on the device.

   Front-end files are kept at install (cache first); the pages of /collect/ and the offline
   bundle are fetched from the network first and kept, and served from the device when the
   network fails or is too slow. Everything kept belongs to one user: signing out removes it,
   and signing in as someone else removes the previous user's pages and queue. */
"use strict";

var VERSION = "{{ version }}";
var SHELL = "dxm-shell-" + VERSION;
var PAGES = "dxm-pages";
var OWNER_KEY = "/__dxm_owner__";
var ASSETS = [{% for url in assets %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
var COLLECT = "{{ collect|escapejs }}";
var BUNDLE = "{{ bundle|escapejs }}";
var LOGIN = "{{ login|escapejs }}";
var LOGOUT = "{{ logout|escapejs }}";
var DATABASE = "dxmonitor-offline";
// How long a kept page waits for the network before the device's copy is shown: on a weak
// signal the officer gets the form at once, and the fresh page is kept for the next visit.
var NETWORK_WAIT = 2500;
var OFFLINE_PAGE =
  '<!doctype html><html lang="vi"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
  "<title>{{ text.title|escapejs }}</title><body style=\"font-family:sans-serif;padding:1rem\">" +
  "<h1>{{ text.heading|escapejs }}</h1><p>{{ text.body|escapejs }}</p>" +
  '<p><a href="' + COLLECT + '">{{ text.link|escapejs }}</a></p></body></html>';

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) {
      return cache.addAll(ASSETS);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("dxm-shell-") === 0 && name !== SHELL;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function owner() {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(OWNER_KEY);
  }).then(function (found) {
    return found ? found.text() : "";
  });
}

/* Remove every page, bundle and queued figure kept on the device. */
function forget() {
  return caches.delete(PAGES).then(function () {
    return new Promise(function (resolve) {
      var request = indexedDB.deleteDatabase(DATABASE);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    });
  }).then(function () {
    return self.clients.matchAll().then(function (clients) {
      clients.forEach(function (client) { client.postMessage({ type: "forgotten" }); });
    });
  });
}

/* Keep the user's pages: the bundle lists them. Another user's pages go first. */
function keep(user, pages) {
  return owner().then(function (current) {
    return current && current !== user ? forget() : null;
  }).then(function () {
    return caches.open(PAGES);
  }).then(function (cache) {
    return cache.put(OWNER_KEY, new Response(user)).then(function () {
      return Promise.all(pages.map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) return cache.put(url, response);
        }).catch(function () { /* kept next time */ });
      }));
    });
  });
}

/* The offline bundle, read here rather than by the page: a page left before the answer came
   would cut the request short. The page gets it as a message (null when it could not be had). */
function readBundle(client) {
  return fetch(BUNDLE, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.ok && !response.redirected ? response.json() : null;
    })
    .catch(function () { return null; })
    .then(function (bundle) {
      if (client) client.postMessage({ type: "bundle", bundle: bundle });
    });
}

/* A kept page again from the network, after a figure was saved on it online. */
function refresh(url) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(url).then(function (old) {
      if (!old) return null;
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (response.ok && !response.redirected) return cache.put(url, response);
      }).catch(function () {});
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var done;
  if (data.type === "keep" && data.user) done = keep(data.user, data.pages || []);
  else if (data.type === "forget") done = forget();
  else if (data.type === "refresh" && data.url) done = refresh(data.url);
  else if (data.type === "bundle") done = readBundle(event.source);
  if (!done) return;
  event.waitUntil(done.then(function () {
    if (event.source && data.type !== "bundle") event.source.postMessage({ type: data.type + "-done" });
  }));
});

function fromCache(request) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(request, { ignoreVary: true });
  });
}

/* The network's answer, kept when it is one of the user's kept pages; the device's copy
   when the network fails or keeps the page waiting too long. */
function networkFirst(request) {
  var network = fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) {
        return cache.match(request, { ignoreVary: true }).then(function (old) {
          if (old) return cache.put(request, copy);
        });
      });
    }
    return response;
  });
  var waited = new Promise(function (resolve) {
    setTimeout(resolve, NETWORK_WAIT);
  }).then(function () {
    return fromCache(request);
  });
  var fallback = function () {
    return fromCache(request).then(function (found) {
      if (found) return found;
      if (request.mode === "navigate") {
        return new Response(OFFLINE_PAGE, { headers: { "Content-Type": "text/html; charset=utf-8" } });
      }
      return Response.error();
    });
  };
  return new Promise(function (resolve) {
    var settled = false;
    var finish = function (response) {
      if (!settled && response) {
        settled = true;
        resolve(response);
      }
    };
    network.then(finish, function () { fallback().then(finish); });
    waited.then(finish);
  });
}

function cacheFirst(request) {
  return caches.match(request).then(function (found) {
    return found || fetch(request);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === LOGOUT) {
    event.waitUntil(forget());
    return;
  }
  if (request.method === "POST" && url.pathname === LOGIN) {
    // Signing in as someone else: the previous user's pages and queue leave the device.
    event.waitUntil(
      request.clone().formData().then(function (form) {
        var user = String(form.get("username") || "");
        return owner().then(function (current) {
          if (current && current !== user) return forget();
        });
      }).catch(function () {})
    );
    return;
  }
  if (request.method !== "GET") return;
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (url.pathname === BUNDLE || (request.mode === "navigate" && url.pathname.indexOf(COLLECT) === 0)) {
    event.respondWith(networkFirst(request));
  }
});
