// Tally's human check (proof of work, in the manner of ALTCHA; nothing leaves for a third party). A form marked
// data-human-check gets a challenge from /auth/challenge as soon as the page opens, finds the number whose
// SHA-256 (after the salt) is the challenge, and puts the signed answer in its hidden human_check field. Submitting
// before that waits for it. Plain script, no wasm: it works before the app has hydrated.
(function () {
  "use strict";

  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  var W = new Uint32Array(64);

  // SHA-256 of an ASCII string (salts and numbers are ASCII), as lower-case hex.
  function sha256Hex(text) {
    var length = text.length;
    var blocks = ((length + 9 + 63) >> 6) << 4; // 32-bit words, a multiple of 16
    var words = new Uint32Array(blocks);
    for (var i = 0; i < length; i++) words[i >> 2] |= (text.charCodeAt(i) & 0xff) << (24 - (i & 3) * 8);
    words[length >> 2] |= 0x80 << (24 - (length & 3) * 8);
    words[blocks - 1] = length * 8;
    var h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a;
    var h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    for (var block = 0; block < blocks; block += 16) {
      for (var t = 0; t < 16; t++) W[t] = words[block + t];
      for (t = 16; t < 64; t++) {
        var x = W[t - 15], y = W[t - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (t = 0; t < 64; t++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var temp1 = (h + S1 + ch + K[t] + W[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var temp2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + temp1) | 0;
        d = c; c = b; b = a; a = (temp1 + temp2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    var out = "";
    [h0, h1, h2, h3, h4, h5, h6, h7].forEach(function (word) {
      out += ("00000000" + (word >>> 0).toString(16)).slice(-8);
    });
    return out;
  }

  // Works through the numbers in slices, so the page stays responsive.
  function solve(challenge, done) {
    var n = 0;
    function slice() {
      var end = Math.min(n + 5000, challenge.maxnumber);
      for (; n <= end; n++) {
        if (sha256Hex(challenge.salt + n) === challenge.challenge) {
          done(btoa(JSON.stringify({
            algorithm: challenge.algorithm,
            challenge: challenge.challenge,
            number: n,
            salt: challenge.salt,
            signature: challenge.signature,
          })));
          return;
        }
      }
      if (n > challenge.maxnumber) done(null);
      else setTimeout(slice, 0);
    }
    slice();
  }

  function attach(form) {
    if (form.dataset.humanCheckAttached) return;
    form.dataset.humanCheckAttached = "1";
    var answer = form.querySelector("[data-human-check-answer]");
    var status = form.querySelector("[data-human-check-status]");
    if (!answer) return;
    var solved = false;
    var submitWanted = false;
    // The page's own words (in its language) are on the status line's data-text-* attributes; English otherwise.
    function say(text, key) { if (status) status.textContent = (key && status.dataset[key]) || text; }
    function start() {
      say("Checking that you are a person…", "textRunning");
      fetch("/auth/challenge", { headers: { accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (challenge) {
          var started = Date.now();
          solve(challenge, function (solution) {
            if (!solution) { say("The check could not finish. Reload the page to try again.", "textFailed"); return; }
            answer.value = solution;
            solved = true;
            form.dataset.humanCheckSolvedMs = String(Date.now() - started);
            say("Check complete.", "textDone");
            if (submitWanted) form.requestSubmit ? form.requestSubmit() : form.submit();
          });
        })
        .catch(function () { say("The check could not start. Check your connection and reload the page.", "textOffline"); });
    }
    form.addEventListener("submit", function (event) {
      if (solved) return;
      event.preventDefault();
      submitWanted = true;
      say("Finishing the check that you are a person… your form is sent as soon as it is done.", "textWaiting");
    });
    start();
  }

  function attachAll() {
    document.querySelectorAll("form[data-human-check]").forEach(attach);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", attachAll);
  else attachAll();
  // Forms the app renders after a client-side navigation.
  new MutationObserver(attachAll).observe(document.documentElement, { childList: true, subtree: true });
  window.__tallySha256Hex = sha256Hex;
})();
