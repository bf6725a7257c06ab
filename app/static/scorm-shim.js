// The SCORM API object a package finds (window.API for 1.2, window.API_1484_11 for 2004).
// Served by the content origin (app/scorm_content.py), never by Värna's: this page and the
// package share an origin that is not Värna's. The runtime itself (scorm-again) runs on
// Värna's course page (scorm-player.js); this shim answers the package at once, as SCORM
// requires, from a copy of the run-time data, and sends every call on by postMessage to
// Värna's page alone (its origin is checked both ways).
(function () {
  "use strict";
  var script = document.currentScript;
  var parentOrigin = script.getAttribute("data-parent-origin");
  var base = script.getAttribute("data-base");
  var cache = {};
  var setAt = {}; // element -> sequence number of the package's last SetValue
  var errors = {};
  var lastError = "0";
  var state = 0; // 0 not initialised, 1 running, 2 terminated
  var seq = 0;
  var v12 = true;

  function post(message) {
    message.varna = "scorm";
    window.parent.postMessage(message, parentOrigin);
  }

  function send(method, args) {
    seq += 1;
    post({ type: "call", seq: seq, method: method, args: args });
    return seq;
  }

  function writeOnly(element) {
    if (v12) {
      return element === "cmi.core.exit" || element === "cmi.core.session_time" ||
        (/^cmi\.interactions\.\d+\./).test(element);
    }
    return element === "cmi.exit" || element === "cmi.session_time";
  }

  function count(element) {
    var prefix = element.slice(0, -"_count".length);
    var highest = -1;
    Object.keys(cache).forEach(function (key) {
      if (key.indexOf(prefix) === 0) {
        var n = parseInt(key.slice(prefix.length), 10);
        if (!isNaN(n) && n > highest) {
          highest = n;
        }
      }
    });
    return String(highest + 1);
  }

  function codes(name) {
    var table = v12
      ? { notInit: "301", afterTerm: "101", already: "101", writeOnly: "404", general: "101" }
      : { notInit: "122", afterTerm: "123", already: "103", writeOnly: "405", general: "101",
        storeBefore: "132", storeAfter: "133", commitBefore: "142", commitAfter: "143",
        termBefore: "112", termAfter: "113" };
    return table[name] || table.general;
  }

  var api = {
    Initialize: function () {
      if (state !== 0) {
        lastError = state === 1 ? codes("already") : "104";
        return "false";
      }
      state = 1;
      lastError = "0";
      send(v12 ? "LMSInitialize" : "Initialize", [""]);
      return "true";
    },
    Terminate: function () {
      if (state !== 1) {
        lastError = v12 ? "301" : (state === 0 ? codes("termBefore") : codes("termAfter"));
        return "false";
      }
      state = 2;
      lastError = "0";
      send(v12 ? "LMSFinish" : "Terminate", [""]);
      return "true";
    },
    GetValue: function (element) {
      element = String(element);
      if (state !== 1) {
        lastError = state === 0 ? codes("notInit") : codes("afterTerm");
        return "";
      }
      if ((/\._count$/).test(element) && !Object.prototype.hasOwnProperty.call(cache, element)) {
        lastError = "0";
        return count(element);
      }
      if (writeOnly(element)) {
        lastError = codes("writeOnly");
        return "";
      }
      lastError = "0";
      var value = cache[element];
      return value === undefined || value === null ? "" : String(value);
    },
    SetValue: function (element, value) {
      element = String(element);
      value = String(value);
      if (state !== 1) {
        lastError = v12 ? "301" : (state === 0 ? codes("storeBefore") : codes("storeAfter"));
        return "false";
      }
      lastError = "0";
      cache[element] = value;
      setAt[element] = send(v12 ? "LMSSetValue" : "SetValue", [element, value]);
      return "true";
    },
    Commit: function () {
      if (state !== 1) {
        lastError = v12 ? "301" : (state === 0 ? codes("commitBefore") : codes("commitAfter"));
        return "false";
      }
      lastError = "0";
      send(v12 ? "LMSCommit" : "Commit", [""]);
      return "true";
    },
    GetLastError: function () {
      return lastError;
    },
    GetErrorString: function (code) {
      return errors[String(code)] || "";
    },
    GetDiagnostic: function (code) {
      return errors[String(code || lastError)] || "";
    }
  };

  function apply(reply) {
    if (reply.error && reply.error !== "0") {
      lastError = String(reply.error);
    }
    if (reply.cmi) {
      Object.keys(reply.cmi).forEach(function (key) {
        if (!(setAt[key] > reply.seq)) {
          cache[key] = reply.cmi[key];
        }
      });
    }
  }

  function relativeHref(href) {
    // The launch file is inside the package: no scheme, no host, no climbing out.
    return typeof href === "string" && href !== "" && !(/^[a-z][a-z0-9+.-]*:/i).test(href) &&
      href.charAt(0) !== "/" && href.indexOf("\\") === -1 &&
      href.split("?")[0].split("/").indexOf("..") === -1;
  }

  function start(init) {
    v12 = init.scormVersion === "1.2";
    cache = init.cmi || {};
    errors = init.errors || {};
    if (!relativeHref(init.href)) {
      return;
    }
    if (v12) {
      window.API = {
        LMSInitialize: api.Initialize,
        LMSFinish: api.Terminate,
        LMSGetValue: api.GetValue,
        LMSSetValue: api.SetValue,
        LMSCommit: api.Commit,
        LMSGetLastError: api.GetLastError,
        LMSGetErrorString: api.GetErrorString,
        LMSGetDiagnostic: api.GetDiagnostic
      };
    } else {
      window.API_1484_11 = api;
    }
    var frame = document.createElement("iframe");
    frame.title = init.title || "";
    frame.setAttribute("allow", "fullscreen; autoplay");
    frame.setAttribute("allowfullscreen", "");
    frame.src = base + init.href;
    document.body.appendChild(frame);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== parentOrigin || event.source !== window.parent) {
      return;
    }
    var data = event.data;
    if (!data || data.varna !== "scorm") {
      return;
    }
    if (data.type === "init" && state === 0 && !window.API && !window.API_1484_11) {
      start(data);
    } else if (data.type === "result") {
      apply(data);
    }
  });

  // A package that leaves without Terminate (the learner closes the tab): the page's
  // beacon (scorm-player.js) still stores what was set.
  post({ type: "ready" });
})();
