// The quick-exit link works without this; with it, the course page is also
// replaced in the history, so the back button does not lead straight back.
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a[data-quick-exit]") : null;
  if (!link) {
    return;
  }
  event.preventDefault();
  window.location.replace(link.href);
});
