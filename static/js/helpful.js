// Marks a comment helpful in place. Everything works without it: the
// "Helpful" link opens a page with a button that posts the mark and returns
// to the comment. Loaded as an external file: the page's CSP allows no
// inline script.
(function () {
  "use strict";

  var script = document.currentScript;
  var section = document.getElementById("comments");
  if (!section) {
    return;
  }

  function linksOf(commentId) {
    return section.querySelectorAll('a[data-helpful="' + commentId + '"]');
  }

  function show(commentId, marked, count) {
    linksOf(commentId).forEach(function (link) {
      link.setAttribute("aria-pressed", marked ? "true" : "false");
      if (typeof count === "number") {
        link.querySelector(".helpful-count").textContent = count ? String(count) : "";
      }
    });
  }

  // The cached page is the same for everyone: this reader's own marks come
  // from their cookie, through this script element's data attribute.
  section.querySelectorAll("a[data-helpful]").forEach(function (link) {
    link.setAttribute("role", "button");
    link.setAttribute("aria-pressed", "false");
  });
  ((script && script.getAttribute("data-marked")) || "").split(",").forEach(function (id) {
    if (/^\d+$/.test(id)) {
      show(id, true);
    }
  });

  function toggle(link) {
    // The comment form carries this reader's CSRF token; without one (a
    // closed conversation), the link's own page asks.
    var token = document.querySelector("input[name='csrfmiddlewaretoken']");
    if (!token || !window.fetch) {
      return false;
    }
    if (link.getAttribute("aria-busy") === "true") {
      return true;
    }
    link.setAttribute("aria-busy", "true");
    fetch(link.href, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token.value },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("answered " + response.status);
        }
        return response.json();
      })
      .then(function (answer) {
        show(link.getAttribute("data-helpful"), answer.marked, answer.count);
      })
      .catch(function () {
        window.location.href = link.href;
      })
      .finally(function () {
        link.removeAttribute("aria-busy");
      });
    return true;
  }

  section.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-helpful]");
    if (link && toggle(link)) {
      event.preventDefault();
    }
  });
  // A button is pressed with the space bar too.
  section.addEventListener("keydown", function (event) {
    var link = event.target.closest("a[data-helpful]");
    if (link && event.key === " " && toggle(link)) {
      event.preventDefault();
    }
  });
})();
