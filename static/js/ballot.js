/* The ballot code arrives after "#" in the slip's QR link, which the browser never sends to the
   server; move it into the form body and go on. */
(function () {
  "use strict";
  var code = window.location.hash.slice(1);
  var form = document.getElementById("ballot-code");
  if (!code || !form) return;
  window.history.replaceState(null, "", window.location.pathname);
  form.elements.code.value = decodeURIComponent(code);
  form.submit();
})();
