// The warning before the idle limit (WCAG 2.2.1). The server ends a session after
// data-idle-seconds without a request; data-warning-seconds before that, this opens the
// dialog in _session_warning.html with the focus on "Fortsätt". Fortsätt (or Escape) is a
// request to the server, which keeps the session. Every text is in the page, translated.
(function () {
  var dialog = document.getElementById("session-warning");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var idle = Number(dialog.dataset.idleSeconds);
  var warning = Number(dialog.dataset.warningSeconds);
  var continueButton = dialog.querySelector("[data-continue]");
  var closeButton = dialog.querySelector("[data-close]");
  var timer = null;

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(open, Math.max(0, idle - warning) * 1000);
  }

  function open() {
    if (!dialog.open) {
      dialog.showModal();
    }
    (continueButton.hidden ? closeButton : continueButton).focus();
  }

  function showEnded() {
    dialog.querySelector("[data-while-logged-in]").hidden = true;
    dialog.querySelector("[data-when-ended]").hidden = false;
    continueButton.hidden = true;
    closeButton.hidden = false;
    open();
    closeButton.focus();
  }

  function keepSession() {
    if (continueButton.hidden) {
      dialog.close();
      return;
    }
    fetch(dialog.dataset.keepAlive, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": dialog.dataset.csrf },
    }).then(function (response) {
      if (response.ok) {
        dialog.close();
        schedule();
      } else {
        showEnded();
      }
    }, showEnded);
  }

  continueButton.addEventListener("click", keepSession);
  closeButton.addEventListener("click", function () {
    dialog.close();
  });
  dialog.addEventListener("cancel", function (event) {
    // Escape is an answer too: the person is here. (Chromium may close the dialog anyway.)
    event.preventDefault();
    keepSession();
  });
  schedule();
})();
