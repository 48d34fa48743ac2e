/* dxmonitor offline entry: keeps what an officer types on the device (IndexedDB) at once, checks
   it as the server would while there is no connection, and sends it through the values API with
   the version it was typed over when the connection returns. A conflict shows both figures and
   lets the officer choose. Everything kept belongs to the signed-in user (`data-user`). */
(function () {
  "use strict";

  var bar = document.getElementById("offline-bar");
  if (!bar || !window.indexedDB) return;
  var USER = bar.getAttribute("data-user");
  var LANG = (document.documentElement.lang || "vi").slice(0, 2);
  var DATABASE = "dxmonitor-offline";
  var CELL_URL = /\/collect\/([^/]+)\/(\d+)\/([^/]+)\/cell\/(\d+)\/([^/]+)\/$/;
  var FORM_PATH = /^\/collect\/([^/]+)\/(\d+)\/([^/]+)\/$/;
  var formMatch = FORM_PATH.exec(location.pathname);
  var bundle = null;
  var syncing = false;
  var seq = 0;
  var KEEP_FOR = 30 * 60 * 1000; // the kept pages are fetched again after half an hour
  var BUNDLE_WAIT = 60 * 1000; // a page without a working service worker goes on without a fresh bundle

  function t(key, values) {
    var text = bar.getAttribute("data-t-" + key) || "";
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(values[name]);
    });
    return text;
  }

  // ---------------------------------------------------------------------------------------
  // The device's store: queued figures and submissions, and the bundle, per user.

  var opening = null;
  function db() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DATABASE, 1);
        request.onupgradeneeded = function () {
          var made = request.result;
          made.createObjectStore("queue", { keyPath: "id" });
          made.createObjectStore("meta", { keyPath: "user" });
        };
        request.onsuccess = function () {
          var found = request.result;
          // Signing out deletes the database: let it go.
          found.onversionchange = function () {
            found.close();
            opening = null;
          };
          resolve(found);
        };
        request.onerror = function () {
          opening = null;
          reject(request.error);
        };
      });
    }
    return opening;
  }

  function run(store, mode, work) {
    return db().then(function (found) {
      return new Promise(function (resolve, reject) {
        var transaction = found.transaction(store, mode);
        var result = work(transaction.objectStore(store));
        transaction.oncomplete = function () {
          resolve(result && "result" in result ? result.result : undefined);
        };
        transaction.onerror = transaction.onabort = function () {
          reject(transaction.error);
        };
      });
    });
  }

  function allQueued() {
    return run("queue", "readonly", function (store) {
      return store.getAll();
    }).then(function (items) {
      return (items || [])
        .filter(function (item) { return item.user === USER; })
        .sort(function (a, b) { return a.seq - b.seq; });
    });
  }

  function put(item) {
    return run("queue", "readwrite", function (store) { store.put(item); });
  }

  function drop(id) {
    return run("queue", "readwrite", function (store) { store.delete(id); });
  }

  function get(id) {
    return run("queue", "readonly", function (store) { return store.get(id); });
  }

  function nextSeq() {
    seq = Math.max(seq + 1, Date.now() * 1000);
    return seq;
  }

  // ---------------------------------------------------------------------------------------
  // The status bar: connection, figures waiting, "send now".

  function online() {
    return navigator.onLine !== false;
  }

  function showStatus() {
    return allQueued().then(function (items) {
      var waiting = items.filter(function (i) { return i.kind === "figure" && i.state === "queued"; }).length;
      var choose = items.filter(function (i) { return i.state === "conflict"; }).length;
      var refused = items.filter(function (i) { return i.state === "refused" || i.state === "invalid"; }).length;
      var submits = items.filter(function (i) { return i.kind === "submit"; }).length;
      bar.hidden = false;
      bar.setAttribute("data-online", online() ? "true" : "false");
      bar.setAttribute("data-waiting", String(waiting));
      bar.setAttribute("data-conflicts", String(choose));
      bar.querySelector("[data-net]").textContent = online() ? t("online") : t("offline");
      var parts = [];
      if (waiting) parts.push(t("waiting", { n: waiting }));
      if (choose) parts.push(t("choose", { n: choose }));
      if (refused) parts.push(t("refused", { n: refused }));
      if (submits) parts.push(t("submit-waiting"));
      if (!parts.length && !syncing) parts.push(t("nothing-waiting"));
      bar.querySelector("[data-count]").textContent = parts.join(" · ");
      bar.querySelector("[data-sync]").hidden = !(online() && (waiting || submits));
      return items;
    });
  }

  function say(text, kind) {
    var where = bar.querySelector("[data-message]");
    where.textContent = text || "";
    where.className = "message " + (kind || "");
  }

  // ---------------------------------------------------------------------------------------
  // Cells of the form page.

  function cells() {
    return Array.prototype.slice.call(document.querySelectorAll(".cell[data-editable]"));
  }

  function describe(cell) {
    var match = CELL_URL.exec(cell.getAttribute("hx-post") || "");
    if (!match) return null;
    return {
      dataset: decodeURIComponent(match[1]),
      report: match[2],
      period: decodeURIComponent(match[3]),
      unit: Number(match[4]),
      indicator: decodeURIComponent(match[5]),
      url: match[0],
    };
  }

  function keyOf(cell) {
    var found = describe(cell);
    return found ? USER + "|" + found.url : null;
  }

  function texts(cell) {
    var out = {};
    ["v", "n", "d"].forEach(function (name) {
      var input = cell.querySelector('input[data-part="' + name + '"]');
      if (input) out[name] = input.value;
    });
    return out;
  }

  function cellFor(item) {
    return cells().filter(function (cell) { return keyOf(cell) === item.id; })[0] || null;
  }

  function setStatus(cell, html, state) {
    var status = cell.querySelector(".cell-status");
    if (status) status.innerHTML = html;
    if (state) cell.setAttribute("data-state", state);
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function markInvalid(cell, parts) {
    cell.querySelectorAll("input.num").forEach(function (input) {
      if (parts.indexOf(input.getAttribute("data-part")) >= 0) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
  }

  /* What a cell shows for its queued figure: waiting, refused with the server's message,
     invalid (the same checks as the server), or a conflict with both figures. */
  function render(cell, item) {
    if (!item) return;
    if (item.state === "conflict" && item.conflict) {
      var c = item.conflict;
      var mine = [item.texts.n, item.texts.d].filter(Boolean).length === 2
        ? item.texts.n + "/" + item.texts.d
        : item.texts.v;
      var text = t("conflict", {
        by: c.by,
        theirs: c.deleted ? "—" : c.display,
        at: formatMoment(c.at),
        mine: mine,
        typed: formatMoment(item.typed_at),
      });
      setStatus(
        cell,
        '<span class="conflict" data-conflict>' + escapeHtml(text) + "</span>" +
          '<span class="choose"><button type="button" class="secondary" data-keep="mine">' +
          escapeHtml(t("keep-mine", { mine: mine })) + '</button> <button type="button" class="secondary" data-keep="theirs">' +
          escapeHtml(t("keep-theirs", { by: c.by, theirs: c.deleted ? "—" : c.display })) + "</button></span>",
        "conflict"
      );
      return;
    }
    if (item.state === "refused" || item.state === "invalid") {
      setStatus(
        cell,
        (item.messages || []).map(function (m) { return '<span class="err">' + escapeHtml(m) + "</span>"; }).join(""),
        "error"
      );
      markInvalid(cell, item.invalid || ["v", "n", "d"]);
      return;
    }
    markInvalid(cell, []);
    setStatus(cell, '<span class="queued">⏳ ' + escapeHtml(t("queued")) + "</span>", "queued");
  }

  function formatMoment(iso) {
    var moment = new Date(iso);
    if (isNaN(moment.getTime())) return "";
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(moment.getHours()) + ":" + pad(moment.getMinutes()) + " " + pad(moment.getDate()) + "/" +
      pad(moment.getMonth() + 1) + "/" + moment.getFullYear();
  }

  // ---------------------------------------------------------------------------------------
  // The checks the server makes on one cell, with its messages (from the bundle).

  function pyG(number) {
    // Python's "g" format: six significant digits, no trailing zeros.
    if (Number.isInteger(number) && Math.abs(number) < 1e6) return String(number);
    var text = Number(number.toPrecision(6));
    return Math.abs(text) < 1e-4 || Math.abs(text) >= 1e6
      ? text.toExponential().replace(/e([+-])(\d)$/, "e$10$2")
      : String(text);
  }

  function check(cell, typed) {
    var checks = bundle && bundle.checks;
    if (!checks) return { messages: [], invalid: [] };
    var problems = [];
    var message = function (key, values) {
      var text = checks.messages[key];
      Object.keys(values || {}).forEach(function (name) {
        text = text.split("{" + name + "}").join(values[name]);
      });
      return text;
    };
    var parse = window.dxEntry.parseNumber;
    var empty = ["v", "n", "d"].every(function (part) { return !String(typed[part] || "").trim(); });
    if (empty) return { messages: [], invalid: [] }; // an emptied cell clears the figure
    var numbers = {};
    ["v", "n", "d"].forEach(function (part) {
      if (!(part in typed)) return;
      var text = String(typed[part] || "").trim();
      var found = parse(text);
      if (found !== null && isNaN(found)) {
        problems.push([part, message("nan", { label: checks.labels[part], text: text.slice(0, 40) })]);
        found = null;
      }
      numbers[part] = found;
    });
    var ratio = cell.hasAttribute("data-ratio");
    var percent = cell.hasAttribute("data-percent");
    var hasTop = ratio && String(typed.n || "").trim() !== "";
    var hasBottom = ratio && String(typed.d || "").trim() !== "";
    if (hasTop !== hasBottom) problems.push([hasTop ? "d" : "n", message("both")]);
    if (problems.length) return finish(problems);
    var top = ratio ? numbers.n : null, bottom = ratio ? numbers.d : null, value = numbers.v;
    if (bottom !== null && bottom !== undefined && bottom <= 0) {
      problems.push(["d", message("denominator")]);
      bottom = null;
    }
    if (top !== null && top !== undefined && top < 0) problems.push(["n", message("numerator")]);
    if (top != null && bottom != null) {
      if (percent && top > bottom) problems.push(["n", message("over", { top: pyG(top), bottom: pyG(bottom) })]);
      value = Math.round((100 * top / bottom) * 1e4) / 1e4;
    }
    if (value == null) problems.push(["v", message("required")]);
    else {
      var kind = bundle.catalogue[describe(cell).indicator] || {};
      if (value < 0 && kind.kind !== "score") problems.push(["v", message("negative", { number: pyG(value) })]);
      if (percent && value > 100) problems.push(["v", message("percent", { number: pyG(value) })]);
    }
    return finish(problems);

    function finish(found) {
      // As the form says it: a wrong numerator or denominator also makes a wrong rate.
      if (found.some(function (p) { return p[0] === "n" || p[0] === "d"; })) {
        found = found.filter(function (p) { return p[0] !== "v"; });
      }
      return {
        messages: found.map(function (p) { return p[1]; }).filter(function (m, i, all) { return all.indexOf(m) === i; }),
        invalid: found.map(function (p) { return p[0]; }),
      };
    }
  }

  // ---------------------------------------------------------------------------------------
  // The declared rules of one unit and period, judged on the device as expressions.py does.

  var TOLERANCE = 1e-9;
  var PARTS = ["value", "numerator", "denominator"];

  function evaluate(node, figures) {
    var kind = node[0];
    if (kind === "n") return node[1];
    if (kind === "r") {
      var row = figures[node[1]];
      if (!row) return null;
      var found = row[PARTS.indexOf(node[2])];
      return found === null || found === undefined || !isFinite(found) ? null : found;
    }
    if (kind === "-" && node.length === 2) {
      var operand = evaluate(node[1], figures);
      return operand === null ? null : -operand;
    }
    var left = evaluate(node[1], figures);
    if (left === null) return null;
    var right = evaluate(node[2], figures);
    if (right === null) return null;
    if (kind === "+") return left + right;
    if (kind === "-") return left - right;
    if (kind === "*") return left * right;
    return right === 0 ? null : left / right;
  }

  function holds(left, operator, right) {
    var tolerance = TOLERANCE * Math.max(1, Math.abs(left), Math.abs(right));
    var difference = left - right;
    switch (operator) {
      case "<=": return difference <= tolerance;
      case "<": return difference < -tolerance;
      case ">=": return difference >= -tolerance;
      case ">": return difference > tolerance;
      case "==": return Math.abs(difference) <= tolerance;
      default: return Math.abs(difference) > tolerance;
    }
  }

  /* A unit's figures: what the server had, with the form's boxes over them. */
  function figuresOf(unitId, period) {
    var figures = {};
    var kept = (bundle.figures || {})[unitId + "|" + period] || {};
    Object.keys(kept).forEach(function (code) { figures[code] = kept[code].slice(); });
    cells().forEach(function (cell) {
      var found = describe(cell);
      if (!found || found.unit !== unitId) return;
      var typed = texts(cell);
      var parse = window.dxEntry.parseNumber;
      var top = parse(typed.n), bottom = parse(typed.d), value = parse(typed.v);
      if (top != null && bottom != null && !isNaN(top) && !isNaN(bottom) && bottom > 0) {
        figures[found.indicator] = [100 * top / bottom, top, bottom];
      } else if (value != null && !isNaN(value)) {
        figures[found.indicator] = [value, null, null];
      } else {
        delete figures[found.indicator];
      }
    });
    return figures;
  }

  function judgeRules() {
    if (!bundle || !formMatch) return;
    var summary = document.getElementById("entry-summary");
    if (!summary) return;
    var period = decodeURIComponent(formMatch[3]);
    var report = Number(formMatch[2]);
    var units = [];
    var names = {};
    cells().forEach(function (cell) {
      var found = describe(cell);
      if (found && units.indexOf(found.unit) < 0) {
        units.push(found.unit);
        var row = cell.closest("tr");
        var head = row && row.querySelector("th[scope=row]");
        names[found.unit] = head ? head.textContent.trim() : "";
      }
    });
    var found = [];
    units.forEach(function (unitId) {
      var figures = figuresOf(unitId, period);
      (bundle.rules || []).forEach(function (rule) {
        var left = evaluate(rule.left, figures);
        if (left === null) return;
        var right = evaluate(rule.right, figures);
        if (right === null || holds(left, rule.operator, right)) return;
        var text = unitId !== report && names[unitId] ? names[unitId] + ": " + rule.name : rule.name;
        found.push({ error: rule.severity === "error", text: text });
      });
    });
    found.sort(function (a, b) { return (b.error ? 1 : 0) - (a.error ? 1 : 0); });
    var box = summary.querySelector(".checks");
    if (!found.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.className = "checks";
      var tallies = summary.querySelectorAll(".tally");
      var after = tallies[tallies.length - 1];
      if (after) after.insertAdjacentElement("afterend", box);
      else summary.appendChild(box);
    }
    box.setAttribute("data-violations", String(found.length));
    box.setAttribute("data-offline", "");
    box.innerHTML = "<b>" + escapeHtml(t("checks")) + "</b><ul>" + found.map(function (v) {
      return '<li class="' + (v.error ? "error" : "warning") + '">' + escapeHtml(v.text) + ' <span class="sub">— ' +
        escapeHtml(v.error ? t("must-fix") : t("second-look")) + "</span></li>";
    }).join("") + "</ul>";
  }

  // ---------------------------------------------------------------------------------------
  // Typing: every change is kept at once; offline, the cell is checked and queued.

  var writes = {}; // cell id → its last write to the store, so that a later drop follows it

  function remember(cell, state) {
    var id = keyOf(cell);
    if (!id) return Promise.resolve(null);
    var previous = writes[id] || Promise.resolve();
    var done = previous.then(function () { return write(cell, id, state); });
    writes[id] = done.catch(function () {});
    return done;
  }

  function forgetCell(id) {
    return (writes[id] || Promise.resolve()).then(function () { return drop(id); });
  }

  function write(cell, id, state) {
    var found = describe(cell);
    var typed = texts(cell);
    var empty = ["v", "n", "d"].every(function (part) { return !String(typed[part] || "").trim(); });
    // Clearing a figure needs the connection (the values API deletes by the value's id).
    if (empty) return drop(id).then(function () { return null; });
    return get(id).then(function (old) {
      var item = {
        id: id,
        user: USER,
        kind: "figure",
        seq: old ? old.seq : nextSeq(),
        form: location.pathname,
        unit_id: found.unit,
        indicator: found.indicator,
        period: found.period,
        texts: typed,
        base: old ? old.base : Number(cell.getAttribute("data-version") || 0),
        typed_at: new Date().toISOString(),
        // Online, the cell saves itself when left: kept only until the server answers.
        state: state || (online() ? "pending" : "queued"),
      };
      var checked = check(cell, typed);
      if (checked.messages.length) {
        item.state = "invalid";
        item.messages = checked.messages;
        item.invalid = checked.invalid;
      }
      return put(item).then(function () { return item; });
    });
  }

  document.addEventListener("input", function (event) {
    var cell = event.target.closest && event.target.closest(".cell[data-editable]");
    if (!cell) return;
    remember(cell).then(function () {
      if (!online()) {
        judgeRules();
        showStatus();
      }
    });
  });

  // Offline, a cell's save goes to the queue instead of the network.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var cell = event.detail.elt;
    if (!cell || !cell.matches || !cell.matches(".cell[data-editable]")) return;
    if (online()) {
      // The request carries the figure now; if it fails on the way, sendError keeps it again.
      forgetCell(keyOf(cell));
      return;
    }
    event.preventDefault();
    queueCell(cell);
  });

  function queueCell(cell) {
    return remember(cell, "queued").then(function (item) {
      if (item) render(cell, item);
      else setStatus(cell, "", "");
      judgeRules();
      showStatus();
    });
  }

  // The network failed on the way: the figure stays queued.
  document.addEventListener("htmx:sendError", function (event) {
    var cell = event.detail.elt;
    if (cell && cell.matches && cell.matches(".cell[data-editable]")) queueCell(cell);
  });

  // The server answered a cell's save: what was kept for it is no longer needed.
  document.addEventListener("htmx:afterRequest", function (event) {
    var cell = event.detail.elt;
    var xhr = event.detail.xhr;
    if (!cell || !cell.matches || !cell.matches(".cell[data-editable]") || !xhr || !xhr.status) return;
    if (xhr.status >= 500) return;
    var id = keyOf(cell);
    if (!id) return;
    forgetCell(id).then(function () {
      showStatus();
      refreshKept();
    });
  });

  var refreshTimer = null;
  function refreshKept() {
    // The kept copy of this page follows what was saved online.
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      worker(function (active) { active.postMessage({ type: "refresh", url: location.pathname }); });
    }, 1500);
  }

  // Offline, "Submit the report" is queued; "Save all" keeps every figure on the device.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.matches) return;
    if (form.matches("form.logout-form, form[action$='/logout/']")) {
      signOut(event, form);
      return;
    }
    if (!formMatch) return;
    if (online()) {
      // "Save all" sends every box to the server, which answers on the page it returns.
      if (form.matches("form.entry")) cells().forEach(function (cell) { forgetCell(keyOf(cell)); });
      return;
    }
    if (form.matches("form.submit-box")) {
      event.preventDefault();
      put({
        id: USER + "|submit|" + location.pathname,
        user: USER,
        kind: "submit",
        seq: nextSeq(),
        form: location.pathname,
        api: bar.getAttribute("data-submit-api"),
        typed_at: new Date().toISOString(),
        state: "queued",
      }).then(function () {
        form.setAttribute("data-queued", "");
        var note = form.querySelector("[data-submit-note]") || document.createElement("p");
        note.setAttribute("data-submit-note", "");
        note.className = "note queued";
        note.textContent = t("submit-queued");
        form.appendChild(note);
        showStatus();
      });
      return;
    }
    if (form.matches("form.entry")) {
      event.preventDefault();
      Promise.all(cells().map(queueCell));
    }
  }, true);

  function signOut(event, form) {
    if (form.hasAttribute("data-confirmed")) return;
    event.preventDefault();
    allQueued().then(function (items) {
      if (items.length && !window.confirm(t("logout-confirm", { n: items.length }))) return;
      return forgetHere().then(function () {
        form.setAttribute("data-confirmed", "");
        form.submit();
      });
    }).catch(function () {
      form.setAttribute("data-confirmed", "");
      form.submit();
    });
  }

  /* Remove what this user kept on the device (the worker does the same when it sees the sign-out). */
  function forgetHere() {
    var closing = opening ? opening.then(function (found) { found.close(); opening = null; }) : Promise.resolve();
    return closing.then(function () {
      return Promise.all([
        window.caches ? caches.delete("dxm-pages") : null,
        new Promise(function (resolve) {
          var request = indexedDB.deleteDatabase(DATABASE);
          request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
        }),
      ]);
    });
  }

  // Conflicts: the officer chooses.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-keep]");
    if (button) {
      var cell = button.closest(".cell");
      var id = cell && keyOf(cell);
      if (!id) return;
      get(id).then(function (item) {
        if (!item) return;
        item.keep = button.getAttribute("data-keep");
        item.state = "queued";
        return put(item).then(function () {
          render(cell, item);
          return sync();
        });
      });
      return;
    }
    if (event.target.closest && event.target.closest("[data-sync]")) sync();
  });

  // ---------------------------------------------------------------------------------------
  // Sending what waits, in the order it was typed.

  function csrf() {
    var match = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { status: response.status, json: json };
      });
    });
  }

  function serverMessages(json) {
    var key = LANG === "en" ? "message_en" : "message_vi";
    var found = (json.errors || []).map(function (e) { return e[key] || e.message; }).filter(Boolean);
    if (!found.length) found = [LANG === "en" ? json.detail : json.detail_vi || json.detail];
    return found.filter(function (m, i, all) { return m && all.indexOf(m) === i; });
  }

  var PART_OF = { value: "v", numerator: "n", denominator: "d" };

  function sendFigure(item) {
    var both = String(item.texts.n || "").trim() && String(item.texts.d || "").trim();
    var body = {
      unit_id: item.unit_id,
      indicator: item.indicator,
      period: item.period,
      base_version: item.base,
      entered_offline_at: item.typed_at,
      value: both ? null : item.texts.v || null,
      numerator: both ? item.texts.n : null,
      denominator: both ? item.texts.d : null,
    };
    if (item.keep) body.keep = item.keep;
    return post(bar.getAttribute("data-values"), body).then(function (answer) {
      var cell = cellFor(item);
      if (answer.status === 200 || answer.status === 201) {
        return drop(item.id).then(function () {
          if (cell) {
            var version = answer.json.value && answer.json.value.version;
            if (version) {
              cell.setAttribute("data-version", String(version));
              var ver = cell.querySelector('input[data-part="ver"]');
              if (ver) ver.value = String(version);
            }
            if (item.keep === "theirs") restoreTheirs(cell, answer.json.value);
            markInvalid(cell, []);
            setStatus(cell, '<span class="ok">✓ ' + escapeHtml(t("sent")) + "</span>", "saved");
          }
          return "sent";
        });
      }
      if (answer.status === 401) return "signed-out";
      if (answer.status === 409 && answer.json.conflict) {
        item.state = "conflict";
        item.conflict = answer.json.conflict;
        delete item.keep;
      } else if (answer.status >= 400 && answer.status < 500) {
        item.state = "refused";
        item.messages = serverMessages(answer.json);
        item.invalid = (answer.json.errors || []).map(function (e) { return PART_OF[e.field]; }).filter(Boolean);
      } else {
        return "later";
      }
      return put(item).then(function () {
        if (cell) render(cell, item);
        return item.state;
      });
    });
  }

  function restoreTheirs(cell, value) {
    if (!value) return;
    var format = function (n) { return n === null || n === undefined ? "" : window.dxEntry.formatNumber(n, 4); };
    var boxes = { v: value.numerator != null && value.denominator != null ? "" : format(value.value),
      n: format(value.numerator), d: format(value.denominator) };
    Object.keys(boxes).forEach(function (part) {
      var input = cell.querySelector('input[data-part="' + part + '"]');
      if (input) input.value = boxes[part];
    });
    window.dxEntry.updateRate(cell);
  }

  function sendSubmit(item) {
    return post(item.api, {}).then(function (answer) {
      if (answer.status === 401) return "signed-out";
      if (answer.status >= 500) return "later";
      return drop(item.id).then(function () {
        var ok = answer.status === 200;
        var text = ok ? t("submit-sent") : serverMessages(answer.json).join(" ");
        if (location.pathname === item.form) {
          var box = document.querySelector("form.submit-box");
          var note = (box && box.querySelector("[data-submit-note]")) || document.createElement("p");
          note.setAttribute("data-submit-note", "");
          note.setAttribute("data-submit-result", ok ? "sent" : "refused");
          note.className = ok ? "note done" : "note error";
          note.textContent = text;
          if (box) box.appendChild(note);
        }
        say(text, ok ? "ok" : "err");
        return ok ? "sent" : "refused";
      });
    });
  }

  function sync() {
    if (syncing || !online()) return Promise.resolve();
    syncing = true;
    bar.setAttribute("data-syncing", "");
    say(t("sending"));
    var started = Date.now();
    var sent = 0;
    return allQueued().then(function (items) {
      var blocked = {};
      var step = function (index) {
        if (index >= items.length) return "done";
        var item = items[index];
        if (item.state !== "queued") {
          blocked[item.form] = true;
          return step(index + 1);
        }
        if (item.kind === "submit" && blocked[item.form]) return step(index + 1);
        var sending = item.kind === "submit" ? sendSubmit(item) : sendFigure(item);
        return sending.then(function (outcome) {
          if (outcome === "signed-out") return outcome;
          if (outcome === "later") return outcome;
          if (outcome === "sent") sent += 1;
          else blocked[item.form] = true;
          return step(index + 1);
        });
      };
      return step(0);
    }).then(function (outcome) {
      if (outcome === "signed-out") say(t("signed-out"), "err");
      else if (outcome === "done") say(sent ? t("synced", { n: sent }) : "", "ok");
      bar.setAttribute("data-synced-ms", String(Date.now() - started));
    }, function () {
      say("");
    }).then(function () {
      syncing = false;
      bar.removeAttribute("data-syncing");
      if (sent) refreshKept();
      return showStatus();
    });
  }

  // ---------------------------------------------------------------------------------------
  // The bundle and the worker.

  function worker(work) {
    if (!navigator.serviceWorker || !navigator.serviceWorker.controller && !navigator.serviceWorker.ready) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) work(registration.active);
    });
  }

  function loadBundle() {
    return run("meta", "readonly", function (store) { return store.get(USER); }).then(function (kept) {
      if (kept) bundle = kept.bundle;
      if (!online()) return;
      return fetchBundle()
        .then(function (fresh) {
          if (!fresh || fresh.user !== USER) return;
          bundle = fresh;
          // The pages are fetched again only when the list changed or the copy is old: on a
          // slow link every visit to /collect/ would otherwise download every form again.
          var same = kept && kept.kept_at && Date.now() - kept.kept_at < KEEP_FOR &&
            JSON.stringify(kept.bundle.pages) === JSON.stringify(fresh.pages);
          var keptAt = formMatch ? kept && kept.kept_at : same ? kept.kept_at : Date.now();
          var record = { user: USER, bundle: fresh, kept_at: keptAt || 0 };
          return run("meta", "readwrite", function (store) { store.put(record); }).then(function () {
            if (formMatch) return; // /collect/ keeps the pages; a form only reads the bundle
            if (same) {
              bar.setAttribute("data-kept", String(fresh.forms.length));
              return;
            }
            keepPages(fresh);
          });
        })
        .catch(function () {});
    });
  }

  /* The bundle from the network: through the service worker when there is one (a page left
     before the answer came would otherwise cut the request short), else directly. */
  function fetchBundle() {
    if (!("serviceWorker" in navigator)) {
      return fetch(bar.getAttribute("data-bundle"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok && !response.redirected ? response.json() : null;
        });
    }
    var gaveUp = new Promise(function (resolve) {
      setTimeout(function () { resolve(null); }, BUNDLE_WAIT);
    });
    return Promise.race([gaveUp, navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var listener = function (event) {
          if (!event.data || event.data.type !== "bundle") return;
          navigator.serviceWorker.removeEventListener("message", listener);
          resolve(event.data.bundle);
        };
        navigator.serviceWorker.addEventListener("message", listener);
        registration.active.postMessage({ type: "bundle" });
      });
    })]);
  }

  function keepPages(fresh) {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      var active = registration.active;
      if (!active) return;
      var listener = function (event) {
        if (!event.data || event.data.type !== "keep-done") return;
        navigator.serviceWorker.removeEventListener("message", listener);
        bar.setAttribute("data-kept", String(fresh.forms.length));
        say(t("kept", { n: fresh.forms.length }), "ok");
      };
      navigator.serviceWorker.addEventListener("message", listener);
      active.postMessage({ type: "keep", user: USER, pages: fresh.pages.concat([bar.getAttribute("data-bundle")]) });
    });
  }

  /* The last approved figure beside each box. */
  function showApproved() {
    if (!bundle || !bundle.approved) return;
    cells().forEach(function (cell) {
      var found = describe(cell);
      var last = found && (bundle.approved[String(found.unit)] || {})[found.indicator];
      if (!last || cell.querySelector(".approved")) return;
      var hint = document.createElement("span");
      hint.className = "approved sub";
      hint.textContent = t("approved", { period: last.label, value: last.display });
      var status = cell.querySelector(".cell-status");
      cell.insertBefore(hint, status);
    });
  }

  function sameFigure(shown, typed) {
    var parse = window.dxEntry.parseNumber;
    return ["v", "n", "d"].every(function (part) {
      var a = parse(shown[part] || ""), b = parse(typed[part] || "");
      return a === b || (a !== null && b !== null && Math.abs(a - b) < 1e-9);
    });
  }

  /* What was typed and kept for this form, back into its boxes. */
  function restore() {
    if (!formMatch) return Promise.resolve();
    return allQueued().then(function (items) {
      items.forEach(function (item) {
        if (item.kind === "submit" && item.form === location.pathname) {
          var box = document.querySelector("form.submit-box");
          if (box) {
            var note = document.createElement("p");
            note.setAttribute("data-submit-note", "");
            note.className = "note queued";
            note.textContent = t("submit-queued");
            box.appendChild(note);
          }
          return;
        }
        var cell = cellFor(item);
        if (!cell) return;
        if (item.state === "pending") {
          // Typed online, and the page closed before the server answered: if the page shows
          // the figure, it was saved; otherwise it waits to be sent like one typed offline.
          if (sameFigure(texts(cell), item.texts)) {
            drop(item.id);
            return;
          }
          item.state = "queued";
          put(item);
        }
        Object.keys(item.texts).forEach(function (part) {
          var input = cell.querySelector('input[data-part="' + part + '"]');
          if (input) input.value = item.texts[part];
        });
        window.dxEntry.updateRate(cell);
        render(cell, item);
      });
    });
  }

  window.addEventListener("online", function () {
    showStatus().then(sync);
  });
  window.addEventListener("offline", function () {
    say("");
    showStatus();
  });
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "forgotten") opening = null;
    });
  }

  function start() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(bar.getAttribute("data-worker"), { scope: "/" }).catch(function () {});
    }
    loadBundle()
      .then(restore)
      .then(function () {
        showApproved();
        if (!online()) judgeRules();
        return showStatus();
      })
      .then(function () {
        bar.setAttribute("data-ready", "");
        if (online()) return sync();
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  window.dxOffline = { sync: sync, queued: allQueued };
})();
