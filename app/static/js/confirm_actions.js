// Irreversible actions ask first: a submit button with data-confirm="…" submits its form only
// after the user agrees. Loaded on every page (shenbao/base.html); the CSP forbids inline handlers.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-confirm], input[type=submit][data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopPropagation();
  }
}, true);
