// After a failed submit the page comes back with an error summary, and after
// "Kontrollera svaret" with the check's feedback: move focus there, so that a
// screen reader reads it first and the next Tab starts from it (issue 20, point 3).
// The CSP allows no inline script, hence this file. Without it the summary is still
// announced (role="alert") and the page title still starts with "Fel:".
//
// It runs on "load": a form sent from an address with a fragment (after following a
// summary link to a field) comes back to that address, and the browser focuses the
// fragment's field once the page is parsed, which would take focus from the summary.
window.addEventListener("load", function () {
  var target = document.querySelector("[data-error-summary], [data-feedback]");
  if (target) {
    target.focus();
  }
});
