// 用 USB-Key 签章: signs a PDF through the local signing agent (shenbao-signer, on 127.0.0.1) and
// either puts the signed PDF into the page's own upload form and submits it (data-mode="upload"),
// or offers it for download (data-mode="download"). The agent asks for the PIN in its own window:
// the PIN never reaches this page nor Shenbao. Every text comes from the page's data-msg-*
// attributes (translated by the server); the CSP forbids inline scripts, hence this file.
(function () {
  "use strict";

  var PAIRING_KEY = "shenbao-signer-pairing";
  var POLL_MS = 500;
  var MISSED_POLLS_ALLOWED = 3;

  function SignerBox(root) {
    this.root = root;
    this.agent = root.getAttribute("data-agent-url").replace(/\/+$/, "");
    this.mode = root.getAttribute("data-mode");
    this.status = root.querySelector(".usbkey-status");
    this.missing = root.querySelector(".usbkey-missing");
    this.pairing = root.querySelector(".usbkey-pairing");
    this.pairingInput = root.querySelector(".usbkey-pairing-code");
    this.ready = root.querySelector(".usbkey-ready");
    this.certificateRow = root.querySelector(".usbkey-certificate-row");
    this.certificateSelect = root.querySelector(".usbkey-certificate");
    this.signButton = root.querySelector(".usbkey-sign");
    this.fileInput = root.querySelector(".usbkey-file");
    this.approveLink = root.querySelector(".usbkey-approve-link");
    this.resultLink = root.querySelector(".usbkey-result");
    this.busy = false;
  }

  SignerBox.prototype.msg = function (name, values) {
    var text = this.root.getAttribute("data-msg-" + name) || this.root.getAttribute("data-msg-failed") || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  };

  SignerBox.prototype.say = function (text, kind) {
    this.status.textContent = text;
    this.status.className = "usbkey-status alert alert-" + (kind || "info");
  };

  SignerBox.prototype.show = function (element, visible) {
    if (element) { element.hidden = !visible; }
  };

  SignerBox.prototype.pairingCode = function () {
    try { return window.localStorage.getItem(PAIRING_KEY) || ""; } catch (e) { return ""; }
  };

  SignerBox.prototype.call = function (path, options) {
    options = options || {};
    var headers = options.headers || {};
    if (path !== "/v1/status") { headers["X-Shenbao-Pairing"] = this.pairingCode(); }
    options.headers = headers;
    options.mode = "cors";
    options.credentials = "omit";
    options.cache = "no-store";
    return fetch(this.agent + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.status === 401) {
          var unpaired = new Error("pairing_required");
          unpaired.code = "pairing_required";
          throw unpaired;
        }
        if (!response.ok) {
          var failed = new Error(body.message || String(response.status));
          failed.code = body.error || "failed";
          failed.agentMessage = body.message || "";
          throw failed;
        }
        return body;
      });
    });
  };

  // --- finding the agent, pairing, certificates -------------------------------------------

  SignerBox.prototype.start = function () {
    var box = this;
    box.say(box.msg("checking"), "info");
    box.call("/v1/status").then(function (status) {
      if (status.agent !== "shenbao-signer") { throw new Error("not the agent"); }
      if (status.origin !== window.location.origin) {
        box.say(box.msg("other-origin", {origin: status.origin || "?", ours: window.location.origin}), "warning");
        box.show(box.missing, true);
        return;
      }
      box.loadCertificates();
    }).catch(function () {
      box.say(box.msg("missing"), "warning");
      box.show(box.missing, true);
    });
  };

  SignerBox.prototype.askPairing = function (wrong) {
    this.show(this.ready, false);
    this.show(this.pairing, true);
    this.say(this.msg(wrong ? "pair-wrong" : "pair-prompt"), wrong ? "warning" : "info");
    this.pairingInput.focus();
  };

  SignerBox.prototype.pair = function () {
    var code = (this.pairingInput.value || "").trim();
    if (!code) { this.askPairing(false); return; }
    try { window.localStorage.setItem(PAIRING_KEY, code); } catch (e) { /* private mode: asked again next time */ }
    this.pairingInput.value = "";
    this.show(this.pairing, false);
    this.loadCertificates();
  };

  SignerBox.prototype.loadCertificates = function () {
    var box = this;
    if (!box.pairingCode()) { box.askPairing(false); return; }
    box.call("/v1/certificates").then(function (body) {
      var certificates = body.certificates || [];
      // This enterprise's own certificates first, so the one preselected is the one Shenbao accepts.
      var own = box.root.getAttribute("data-credit-code") || "";
      if (own) {
        certificates.sort(function (a, b) { return (b.credit_code === own) - (a.credit_code === own); });
      }
      box.certificateSelect.innerHTML = "";
      certificates.forEach(function (c) {
        var option = document.createElement("option");
        option.value = c.id;
        var until = (c.not_after || "").slice(0, 10);
        option.textContent = [c.subject, c.credit_code, c.issuer, until ? box.msg("valid-until", {date: until}) : ""]
          .filter(Boolean).join(" · ");
        box.certificateSelect.appendChild(option);
      });
      if (!certificates.length) {
        box.say(box.msg("no-certificates"), "warning");
        box.show(box.ready, false);
        return;
      }
      box.show(box.certificateRow, certificates.length > 1);
      box.show(box.pairing, false);
      box.show(box.ready, true);
      box.say(box.msg("ready"), "success");
    }).catch(function (error) { box.fail(error); });
  };

  // --- signing ------------------------------------------------------------------------------

  SignerBox.prototype.documentToSign = function () {
    var box = this;
    if (box.mode === "download") {
      var file = box.fileInput && box.fileInput.files[0];
      if (!file) { return Promise.reject(box.problem("choose-file")); }
      return file.arrayBuffer().then(function (data) { return {name: file.name, data: data}; });
    }
    return fetch(box.root.getAttribute("data-pdf-url"), {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw box.problem("download-failed"); }
      return response.arrayBuffer();
    }).then(function (data) { return {name: box.root.getAttribute("data-document-name"), data: data}; });
  };

  SignerBox.prototype.problem = function (name) {
    var error = new Error(name);
    error.code = name;
    return error;
  };

  SignerBox.prototype.sign = function () {
    var box = this;
    if (box.busy) { return; }
    box.busy = true;
    box.signButton.disabled = true;
    box.show(box.approveLink, false);
    box.show(box.resultLink, false);
    var document_;
    box.say(box.msg("preparing"), "info");
    box.documentToSign().then(function (doc) {
      if (!isPdf(doc.data)) { throw box.problem("not-pdf"); }
      document_ = doc;
      return box.call("/v1/sign", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({document_name: doc.name, pdf: toBase64(doc.data),
                              certificate: box.certificateSelect.value || undefined})
      });
    }).then(function (accepted) {
      var approval = null;
      if (accepted.approve_url) {
        approval = window.open(accepted.approve_url, "shenbao-signer-approve");
        box.approveLink.href = accepted.approve_url;
        box.show(box.approveLink, !approval);
        box.say(box.msg(approval ? "approve" : "popup-blocked"), "info");
      } else {
        box.say(box.msg("approve-terminal"), "info");
      }
      if (approval) { approval.focus(); }
      // Decided either way: the agent's window has done its part (this page says the outcome).
      var closeApproval = function () {
        if (approval && !approval.closed) { try { approval.close(); } catch (e) { /* left to the user */ } }
      };
      return box.waitFor(accepted.request).then(function (result) {
        closeApproval();
        return result;
      }, function (error) {
        closeApproval();
        throw error;
      });
    }).then(function (result) {
      box.show(box.approveLink, false);
      var signed = fromBase64(result.pdf);
      var name = signedName(document_.name);
      if (box.mode === "download") { box.offer(signed, name); } else { box.upload(signed, name); }
    }).catch(function (error) {
      box.show(box.approveLink, false);
      box.fail(error);
    }).then(function () {
      box.busy = false;
      box.signButton.disabled = false;
    });
  };

  SignerBox.prototype.waitFor = function (request) {
    var box = this;
    var missed = 0;
    return new Promise(function (resolve, reject) {
      function poll() {
        box.call("/v1/sign/" + encodeURIComponent(request)).then(function (state) {
          missed = 0;
          if (state.state === "pending") { window.setTimeout(poll, POLL_MS); return; }
          if (state.state === "done") { resolve(state); return; }
          var failed = new Error(state.message || state.error);
          failed.code = state.error || "failed";
          failed.agentMessage = state.message || "";
          reject(failed);
        }).catch(function (error) {
          if (error.code || ++missed > MISSED_POLLS_ALLOWED) { reject(error.code ? error : box.problem("agent-lost")); return; }
          window.setTimeout(poll, POLL_MS);
        });
      }
      poll();
    });
  };

  SignerBox.prototype.upload = function (signed, name) {
    // The page's own upload form, as if the user had chosen the signed file: the server checks
    // it like any upload and answers with its usual page and message.
    var form = document.getElementById(this.root.getAttribute("data-upload-form"));
    var input = form.querySelector("input[type=file][name='" + this.root.getAttribute("data-upload-input") + "']");
    var submitterId = this.root.getAttribute("data-upload-submitter");
    var transfer = new DataTransfer();
    transfer.items.add(new File([signed], name, {type: "application/pdf"}));
    input.files = transfer.files;
    this.say(this.msg("uploading"), "info");
    var submitter = submitterId ? document.getElementById(submitterId) : null;
    if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
  };

  SignerBox.prototype.offer = function (signed, name) {
    var url = URL.createObjectURL(new Blob([signed], {type: "application/pdf"}));
    this.resultLink.href = url;
    this.resultLink.setAttribute("download", name);
    this.resultLink.querySelector(".usbkey-result-name").textContent = name;
    this.show(this.resultLink, true);
    this.say(this.msg("signed"), "success");
    this.resultLink.click();
  };

  SignerBox.prototype.fail = function (error) {
    if (error && error.code === "pairing_required") {
      try { window.localStorage.removeItem(PAIRING_KEY); } catch (e) { /* nothing stored */ }
      this.askPairing(true);
      return;
    }
    if (error instanceof TypeError) {  // fetch could not reach the agent any more
      this.say(this.msg("agent-lost"), "danger");
      return;
    }
    var code = ((error && error.code) || "failed").replace(/_/g, "-");
    var known = this.root.hasAttribute("data-msg-" + code);
    var text = this.msg(code);
    // The agent's own words (in its language) only where this page has none of its own.
    if (!known && error && error.agentMessage) { text += " " + this.msg("agent-said", {message: error.agentMessage}); }
    this.say(text, "danger");
  };

  // --- bytes ----------------------------------------------------------------------------------

  function isPdf(buffer) {
    var head = new Uint8Array(buffer.slice(0, 5));
    return String.fromCharCode.apply(null, head) === "%PDF-";
  }

  function toBase64(buffer) {
    var bytes = new Uint8Array(buffer);
    var chunks = [];
    for (var i = 0; i < bytes.length; i += 0x8000) {
      chunks.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)));
    }
    return window.btoa(chunks.join(""));
  }

  function fromBase64(text) {
    var binary = window.atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  function signedName(name) {
    var base = (name || "document.pdf").replace(/\.pdf$/i, "");
    return base + "-signed.pdf";
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".usbkey-signer"), function (root) {
      var box = new SignerBox(root);
      root.querySelector(".usbkey-pair").addEventListener("click", function () { box.pair(); });
      box.pairingInput.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); box.pair(); }
      });
      box.signButton.addEventListener("click", function () { box.sign(); });
      root.querySelector(".usbkey-repair").addEventListener("click", function () { box.askPairing(false); });
      box.start();
    });
  });
})();
