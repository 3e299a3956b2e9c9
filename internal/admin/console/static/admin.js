// Reveal and copy buttons for the SSO client list. The console works
// without this file; it only saves typing. No inline handlers: the CSP
// allows scripts from this origin's files only.
"use strict";

document.addEventListener("click", function (event) {
  var button = event.target.closest("button");
  if (!button) {
    return;
  }
  if (button.classList.contains("reveal")) {
    var field = document.getElementById(button.getAttribute("aria-controls"));
    var shown = field.type === "text";
    field.type = shown ? "password" : "text";
    button.setAttribute("aria-pressed", String(!shown));
    button.textContent = shown ? "Reveal" : "Hide";
  } else if (button.classList.contains("copy")) {
    var from = button.getAttribute("data-copy-from");
    var source = from && document.getElementById(from);
    // An input's value, or the text of a <code> or <pre>.
    var text = source ? ("value" in source ? source.value : source.textContent) : button.getAttribute("data-copy-text");
    copy(text).then(function () {
      flash(button, "Copied");
    }, function () {
      flash(button, "Copy failed");
    });
  }
});

function copy(text) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text);
  }
  return Promise.reject(new Error("clipboard unavailable"));
}

function flash(button, label) {
  var original = button.textContent;
  button.textContent = label;
  setTimeout(function () {
    button.textContent = original;
  }, 1500);
}
