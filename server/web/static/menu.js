// The site menu on a phone: one button instead of five rows of links, and a hint on tables
// wider than the screen. Without this script (or with it blocked) the menu simply stays open.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var button = document.querySelector(".menu-button");
  var nav = document.getElementById("site-menu");
  if (button && nav) {
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Print buttons (A4 landscape, see site.css @media print) need the script: shown with it.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  var hint = document.body.getAttribute("data-scroll-hint");
  function markWide() {
    document.querySelectorAll(".scroll").forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("wide", wide);
      var note = box.previousElementSibling;
      var hasNote = note && note.classList.contains("scroll-hint");
      if (wide && !hasNote && hint) {
        var p = document.createElement("p");
        p.className = "scroll-hint";
        p.textContent = hint;
        box.parentNode.insertBefore(p, box);
      } else if (!wide && hasNote) {
        note.remove();
      }
    });
  }
  markWide();
  window.addEventListener("resize", markWide);
})();
