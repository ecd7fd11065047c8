/* The camera scan, for a kiosk that has a camera and no (or a broken) QR scanner.
   Only where navigator.mediaDevices lists a camera does the "Scan with camera" button
   appear; elsewhere nothing changes. The decoder (vendored jsQR) is loaded only when a
   guest asks for it. A decoded code goes into the same scan field and the same form a
   keyboard-wedge scanner uses, so the server sees one path for both. */
(function () {
  "use strict";

  var stream = null;
  var timer = null;
  // A frame this wide is plenty for a ticket QR held up to the camera, and cheap to decode.
  var MAX_WIDTH = 640;
  var FRAME_MS = 150;

  function box() { return document.querySelector("[data-camera]"); }

  function hasCamera() {
    var media = navigator.mediaDevices;
    if (!media || !media.getUserMedia || !media.enumerateDevices) { return Promise.resolve(false); }
    return media.enumerateDevices().then(function (devices) {
      return devices.some(function (device) { return device.kind === "videoinput"; });
    }, function () { return false; });
  }

  function loadDecoder(src) {
    if (window.jsQR) { return Promise.resolve(window.jsQR); }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () { window.jsQR ? resolve(window.jsQR) : reject(new Error("no decoder")); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function say(camera, key) {
    var status = camera.querySelector("[data-camera-status]");
    if (status) { status.textContent = key ? camera.dataset[key] || "" : ""; }
  }

  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); stream = null; }
    var camera = box();
    if (!camera) { return; }
    var video = camera.querySelector("video");
    if (video) { video.srcObject = null; video.hidden = true; }
    camera.querySelector("[data-camera-start]").hidden = false;
    camera.querySelector("[data-camera-stop]").hidden = true;
  }

  function submitCode(camera, text) {
    var form = document.querySelector("form.kiosk-scan");
    var field = form && form.querySelector("[data-scan]");
    if (!field) { return; }
    stop();
    say(camera, "");
    field.value = text;
    // requestSubmit runs the form's submit event, so htmx (or the plain post) sends it as a scan would.
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  function watch(camera, decode, video) {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    timer = setInterval(function () {
      if (video.readyState < 2 || !video.videoWidth) { return; }
      var scale = Math.min(1, MAX_WIDTH / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var frame = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = decode(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" });
      if (found && found.data) { submitCode(camera, found.data); }
    }, FRAME_MS);
  }

  function start(camera) {
    var video = camera.querySelector("video");
    say(camera, "msgStarting");
    Promise.all([
      loadDecoder(camera.dataset.decoder),
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
    ]).then(function (ready) {
      stream = ready[1];
      video.srcObject = stream;
      video.hidden = false;
      camera.querySelector("[data-camera-start]").hidden = true;
      camera.querySelector("[data-camera-stop]").hidden = false;
      say(camera, "msgLooking");
      return video.play().then(function () { watch(camera, ready[0], video); });
    }).catch(function () {
      stop();
      say(camera, "msgUnavailable");
    });
  }

  function setUp() {
    var camera = box();
    if (!camera || camera.dataset.ready) { return; }
    camera.dataset.ready = "true";
    hasCamera().then(function (present) {
      if (!present) { return; }
      camera.hidden = false;
      camera.querySelector("[data-camera-start]").onclick = function () { start(camera); };
      camera.querySelector("[data-camera-stop]").onclick = function () { stop(); say(camera, ""); };
    });
  }

  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSettle", setUp);
  // Leaving the page (a boosted swap or a real navigation) turns the camera off.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail && event.detail.boosted) { stop(); }
  });
  window.addEventListener("pagehide", stop);
})();
