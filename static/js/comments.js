// Progressive enhancement for the comment form. Everything works without it:
// "Reply" links open the form for that comment (?replyto=<id>), and errors are
// listed at the top of the form. This file only makes those quicker.
// Loaded as an external file: the page's CSP allows no inline script.
(function () {
  "use strict";

  // Move focus to the error summary (or the preview) so it is announced.
  var summary =
    document.getElementById("comment-error-summary") ||
    document.getElementById("report-error-summary");
  var preview = document.getElementById("comment-preview");
  if (summary) {
    summary.focus();
  } else if (preview) {
    preview.focus();
  }

  // A link in the summary puts the cursor in the field, not just near it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    }
  });

  var box = document.getElementById("respond");
  var form = document.getElementById("comment-form");
  if (!box || !form) {
    return;
  }
  var parentInput = form.elements.namedItem("parent");
  var textInput = form.elements.namedItem("comment");
  var title = document.getElementById("respond-title");
  // The page may open on a reply (?replyto=): cancelling goes back to a new comment.
  var originalTitle = box.getAttribute("data-new-title") || "";
  var replying = document.getElementById("replying-to");
  // Where the form goes back to when a reply is cancelled.
  var home = document.createComment("comment form");
  box.parentNode.insertBefore(home, box);

  function showReplying(name, commentId) {
    if (!replying) {
      return;
    }
    var cancel = replying.querySelector(".cancel-reply");
    replying.textContent = "";
    if (commentId) {
      var target = document.createElement("a");
      target.href = "#comment-" + commentId;
      target.textContent = name;
      replying.append("Replying to ", target, ". ");
      replying.append(cancel);
      replying.hidden = false;
    } else {
      replying.append(cancel);
      replying.hidden = true;
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-reply-to]");
    if (!link) {
      return;
    }
    var commentId = link.getAttribute("data-reply-to");
    var comment = /^\d+$/.test(commentId)
      ? document.getElementById("comment-" + commentId)
      : null;
    if (!comment) {
      return; // not on this page: follow the link, the server opens the form
    }
    event.preventDefault();
    comment.insertAdjacentElement("afterend", box);
    parentInput.value = commentId;
    var author = comment.querySelector(".comment-author");
    var name = author ? author.textContent.trim() : "this comment";
    if (title) {
      title.textContent = "Reply to " + name;
    }
    showReplying(name, commentId);
    textInput.focus();
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest(".cancel-reply")) {
      return;
    }
    event.preventDefault();
    home.parentNode.insertBefore(box, home.nextSibling);
    parentInput.value = "";
    if (title) {
      title.textContent = originalTitle;
    }
    showReplying("", null);
    textInput.focus();
  });

  // A double click must not post the comment twice. Buttons stay enabled:
  // a disabled button would not send its name ("preview").
  var sending = false;
  form.addEventListener("submit", function (event) {
    if (sending) {
      event.preventDefault();
    }
    sending = true;
    window.setTimeout(function () {
      sending = false;
    }, 5000);
  });
})();
