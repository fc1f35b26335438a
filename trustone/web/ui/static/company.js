/* The company's report upload: while the file is sent and checked, say so in the form's status
   region (role=status) with an indeterminate progress bar. Progressive: without this script the
   form posts the same way and the browser shows its own loading state. */
(function () {
  "use strict";
  var form = document.querySelector("form.upload");
  if (!form) { return; }
  form.addEventListener("submit", function () {
    var status = form.querySelector(".upload-status");
    if (!status) { return; }
    var bar = document.createElement("progress");
    bar.setAttribute("aria-label", form.getAttribute("data-checking") || "");
    var text = document.createElement("span");
    text.textContent = form.getAttribute("data-checking") || "";
    status.textContent = "";
    status.appendChild(bar);
    status.appendChild(text);
    status.classList.add("busy");
    form.setAttribute("aria-busy", "true");
  });
})();
