// Passkeys (WebAuthn) on Guildgate's pages. This file is served from the
// site's own origin, so the pages' strict Content-Security-Policy
// (script-src 'self', nothing inline) allows it and nothing else.
//
// A form with data-passkey="create" or "get" carries its ceremony's options
// (WebAuthn JSON, binary fields in base64url) in data-passkey-options. On
// submit this script asks the browser for a passkey, writes the response,
// as JSON, into the form's "credential" field and submits the form; the
// server checks everything. A "get" form with data-passkey-autofill also
// offers passkeys in the autofill of the email field (autocomplete
// "username webauthn") where the browser supports it. Elements marked
// data-passkey-only stay hidden in a browser without WebAuthn (or without
// this script), and those marked data-passkey-missing, which say so, show.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function decode(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) {
      s += "=";
    }
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out.buffer;
  }

  function encode(buf) {
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) {
      bin += String.fromCharCode(bytes[i]);
    }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeIDs(list) {
    (list || []).forEach(function (c) {
      c.id = decode(c.id);
    });
  }

  // options returns a fresh copy of the form's options with binary fields
  // decoded, as navigator.credentials expects them.
  function options(form) {
    var o = JSON.parse(form.getAttribute("data-passkey-options"));
    o.challenge = decode(o.challenge);
    if (o.user) {
      o.user.id = decode(o.user.id);
    }
    decodeIDs(o.excludeCredentials);
    decodeIDs(o.allowCredentials);
    return o;
  }

  function toJSON(cred) {
    var r = cred.response;
    var out = {
      id: cred.id,
      rawId: encode(cred.rawId),
      type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: encode(r.clientDataJSON) }
    };
    if (cred.authenticatorAttachment) {
      out.authenticatorAttachment = cred.authenticatorAttachment;
    }
    if (r.attestationObject) {
      out.response.attestationObject = encode(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = encode(r.authenticatorData);
      out.response.signature = encode(r.signature);
      if (r.userHandle) {
        out.response.userHandle = encode(r.userHandle);
      }
    }
    return JSON.stringify(out);
  }

  var sent = false; // one response per page: a challenge is good once

  function send(form, cred) {
    if (sent) {
      return;
    }
    sent = true;
    form.querySelector("input[name=credential]").value = toJSON(cred);
    form.submit();
  }

  function showError(form) {
    var el = form.querySelector("[data-passkey-error]");
    if (el) {
      el.hidden = false;
      el.focus();
    }
  }

  var autofill = null; // the pending autofill request, aborted before a modal one

  function run(form) {
    if (sent) {
      return;
    }
    var mode = form.getAttribute("data-passkey");
    if (autofill) {
      autofill.abort();
      autofill = null;
    }
    var call = mode === "create" ?
      navigator.credentials.create({ publicKey: options(form) }) :
      navigator.credentials.get({ publicKey: options(form) });
    call.then(function (cred) {
      send(form, cred);
    }, function () {
      showError(form);
    });
  }

  function startAutofill(form) {
    if (!PublicKeyCredential.isConditionalMediationAvailable) {
      return;
    }
    PublicKeyCredential.isConditionalMediationAvailable().then(function (ok) {
      if (!ok) {
        return;
      }
      autofill = new AbortController();
      navigator.credentials.get({ publicKey: options(form), mediation: "conditional", signal: autofill.signal })
        .then(function (cred) {
          send(form, cred);
        }, function () {});
    });
  }

  document.querySelectorAll("[data-passkey-only]").forEach(function (el) {
    el.hidden = false;
  });
  document.querySelectorAll("[data-passkey-missing]").forEach(function (el) {
    el.hidden = true;
  });
  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (form.reportValidity()) {
        run(form);
      }
    });
    if (form.hasAttribute("data-passkey-autofill")) {
      startAutofill(form);
    }
  });
})();
