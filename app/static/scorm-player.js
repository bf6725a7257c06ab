// The SCORM runtime on Värna's course page. scorm-again (app/static/vendor, `make
// scorm-runtime`) keeps the run-time data and checks every call; the package runs in a
// frame from the content origin and calls in through scorm-shim.js by postMessage. Only
// messages from that frame's window and origin are taken. What the package commits –
// and what it set before the page is left (a beacon) – is stored in Värna.
(function () {
  "use strict";
  var launchElement = document.getElementById("scorm-launch");
  var frame = document.getElementById("scorm-frame");
  var statusElement = document.getElementById("scorm-status");
  if (!launchElement || !frame) {
    return;
  }
  var launch = JSON.parse(launchElement.textContent);
  var v12 = launch.scormVersion === "1.2";
  var Runtime = v12 ? window.Scorm12API : window.Scorm2004API;
  var api = new Runtime({ autocommit: false, logLevel: 5, lmsCommitUrl: false });
  api.loadFromJSON(launch.cmi);
  var dirty = false;
  var committedDone = false;

  var METHODS = v12
    ? ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit"]
    : ["Initialize", "Terminate", "GetValue", "SetValue", "Commit"];
  var ERROR_CODES = v12
    ? ["0", "101", "201", "202", "203", "301", "401", "402", "403", "404", "405"]
    : ["0", "101", "102", "103", "104", "111", "112", "113", "122", "123", "132", "133",
      "142", "143", "201", "301", "351", "391", "401", "402", "403", "404", "405", "406",
      "407", "408"];

  function lastError() {
    return String(v12 ? api.LMSGetLastError() : api.GetLastError());
  }

  function flattened() {
    var all = api.getFlattenedCMI();
    var out = {};
    Object.keys(all).forEach(function (key) {
      var value = all[key];
      if (value !== null && typeof value !== "object") {
        out[key] = String(value);
      }
    });
    return out;
  }

  function errorStrings() {
    var out = {};
    ERROR_CODES.forEach(function (code) {
      out[code] = String(v12 ? api.LMSGetErrorString(code) : api.GetErrorString(code));
    });
    return out;
  }

  function reply(message) {
    message.varna = "scorm";
    frame.contentWindow.postMessage(message, launch.contentOrigin);
  }

  function body() {
    var commit = api.renderCommitCMI(true);
    return JSON.stringify({
      item: launch.item.identifier,
      cmi: commit.cmi || commit,
      page_token: launch.pageToken
    });
  }

  function say(text, isError) {
    if (!statusElement) {
      return;
    }
    statusElement.textContent = text;
    statusElement.classList.toggle("is-error", !!isError);
  }

  function showStates(items) {
    Object.keys(items || {}).forEach(function (identifier) {
      var state = items[identifier];
      document.querySelectorAll("[data-item-state]").forEach(function (element) {
        if (element.getAttribute("data-item-state") === identifier) {
          element.textContent = state === "done" ? statusElement.getAttribute("data-state-done")
            : state === "started" ? statusElement.getAttribute("data-state-started") : "";
        }
      });
    });
  }

  function commit() {
    dirty = false;
    return fetch(launch.commitUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": launch.csrfToken },
      body: body()
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    }).then(function (result) {
      showStates(result.items);
      if (result.course_done) {
        say(statusElement.getAttribute("data-course-done"));
      } else if (result.item_done && !committedDone) {
        say(statusElement.getAttribute("data-done"));
      }
      committedDone = committedDone || result.item_done;
      document.documentElement.setAttribute("data-scorm-committed", String(Date.now()));
    }).catch(function () {
      dirty = true;
      say(statusElement.getAttribute("data-error"), true);
    });
  }

  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow || event.origin !== launch.contentOrigin) {
      return;
    }
    var data = event.data;
    if (!data || data.varna !== "scorm") {
      return;
    }
    if (data.type === "ready") {
      reply({
        type: "init",
        scormVersion: launch.scormVersion,
        href: launch.item.href,
        title: frame.title,
        cmi: flattened(),
        errors: errorStrings()
      });
      return;
    }
    if (data.type !== "call" || METHODS.indexOf(data.method) === -1 || !Array.isArray(data.args)) {
      return;
    }
    var args = data.args.slice(0, 2).map(String);
    var result = String(api[data.method].apply(api, args));
    var answer = { type: "result", seq: data.seq, error: lastError(), result: result };
    if (/SetValue$/.test(data.method)) {
      dirty = true;
      if (answer.error !== "0") {
        answer.cmi = flattened();
      }
    } else if (/(Initialize|Commit|Finish|Terminate)$/.test(data.method)) {
      answer.cmi = flattened();
      if (!/Initialize$/.test(data.method)) {
        commit();
      }
    }
    reply(answer);
  });

  // Leaving the page (another part, the quick exit, closing the tab): what was set since
  // the last commit is sent with a beacon, which carries the page token in its body.
  window.addEventListener("pagehide", function () {
    if (dirty && navigator.sendBeacon) {
      dirty = false;
      navigator.sendBeacon(launch.commitUrl, new Blob([body()], { type: "application/json" }));
    }
  });

  frame.src = frame.getAttribute("data-src");
})();
