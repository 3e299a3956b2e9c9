// The Branding page's live preview: it redraws the sign-in page preview
// from the form as the administrator types, and shows a logo file they
// pick before it is uploaded. The page works without this file (the
// server draws the preview from what is saved); it only saves a round
// trip. No inline handlers or styles: the CSP allows this origin's files
// only, and a colour is set as a CSS custom property through the CSSOM.
"use strict";

(function () {
  var form = document.getElementById("branding-form");
  var frame = document.getElementById("preview-frame");
  if (!form || !frame) {
    return;
  }
  var hex = /^#[0-9a-fA-F]{6}$/;
  var minContrast = 4.5;
  var storedLogo = document.getElementById("preview-logo").getAttribute("src") || "";
  var pickedLogo = "";

  function byId(id) {
    return document.getElementById(id);
  }

  // WCAG 2.1 relative luminance of #rrggbb, as package branding has it.
  function luminance(color) {
    var sum = 0;
    [[1, 0.2126], [3, 0.7152], [5, 0.0722]].forEach(function (c) {
      var s = parseInt(color.substr(c[0], 2), 16) / 255;
      s = s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
      sum += c[1] * s;
    });
    return sum;
  }

  function darker(color) {
    var out = "#";
    for (var i = 1; i < 7; i += 2) {
      var v = Math.floor(parseInt(color.substr(i, 2), 16) * 4 / 5);
      out += (v < 16 ? "0" : "") + v.toString(16);
    }
    return out;
  }

  function showColor() {
    var color = form.elements.primary_color.value.trim();
    var note = byId("primary-color-contrast");
    note.classList.remove("bad");
    if (color === "") {
      frame.style.removeProperty("--preview-accent");
      frame.style.removeProperty("--preview-accent-dark");
      note.textContent = "";
      return;
    }
    if (!hex.test(color)) {
      note.textContent = "Write the colour as # and six hexadecimal digits, such as #1f5fbf.";
      note.classList.add("bad");
      return;
    }
    var ratio = Math.floor(1.05 / (luminance(color) + 0.05) * 100) / 100;
    if (ratio < minContrast) {
      note.textContent = "Too light: white text on it has contrast " + ratio.toFixed(2) + ":1, and at least 4.5:1 is needed.";
      note.classList.add("bad");
      return;
    }
    note.textContent = "White text on it has contrast " + ratio.toFixed(2) + ":1.";
    frame.style.setProperty("--preview-accent", color);
    frame.style.setProperty("--preview-accent-dark", darker(color));
  }

  function showText() {
    byId("preview-name").textContent = form.elements.display_name.value.trim();
    var message = form.elements.sign_in_message.value.trim();
    byId("preview-message").textContent = message;
    byId("preview-message").hidden = message === "";
    byId("preview-support").hidden = !/^https:\/\/./.test(form.elements.support_url.value.trim());
    byId("preview-privacy").hidden = !/^https:\/\/./.test(form.elements.privacy_url.value.trim());
  }

  function showLogo() {
    var img = byId("preview-logo");
    var remove = form.elements.remove_logo;
    var src = pickedLogo || (remove && remove.checked ? "" : storedLogo);
    if (src) {
      img.src = src;
    } else {
      img.removeAttribute("src");
    }
    img.hidden = !src;
  }

  form.elements.logo.addEventListener("change", function () {
    if (pickedLogo) {
      URL.revokeObjectURL(pickedLogo);
    }
    var file = form.elements.logo.files[0];
    pickedLogo = file ? URL.createObjectURL(file) : "";
    showLogo();
  });
  form.addEventListener("input", function () {
    showText();
    showColor();
    showLogo();
  });
  form.addEventListener("change", showLogo);
  showText();
  showColor();
})();
