// The statement's print button: shown only where it works (with JavaScript); without it the browser's own print does.
(function () {
  "use strict";
  document.querySelectorAll("button.print-page").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
