/* The moderation queue in the admin: decisions on the row itself, in place,
 * and the keys editors know from WordPress (j/k, a/u/d/s, r, Enter, z, ?).
 *
 * Without this file every row button is a plain POST that comes back to the
 * same page of the queue; with it, the same POST is sent with
 * "Accept: application/json" and the row changes where it is. Decisions are
 * sent one after another, in the order they were made, so "z" always takes
 * back the newest. A static file: the site's CSP allows no inline script. */
(function () {
  "use strict";

  function startQueue() {
    const table = document.getElementById("result_list");
    const decideForm = document.getElementById("queue-decide");
    if (!table || !decideForm || !table.tBodies.length) {
      return;
    }
    const undoForm = document.querySelector(".queue-undo");
    const undoText = undoForm && undoForm.querySelector(".queue-undo-text");
    const help = document.getElementById("queue-keys");
    const helpButton = document.querySelector(".queue-keys-open");
    const csrfToken = decideForm.querySelector("[name=csrfmiddlewaretoken]").value;
    const DECISION_KEYS = { a: "approved", u: "pending", d: "rejected", s: "spam" };
    let current = null;
    let sending = Promise.resolve();

    function rows() {
      return Array.from(table.tBodies[0].rows);
    }

    function actionsOf(row) {
      return row.querySelector(".row-actions");
    }

    function isDecided(row) {
      return row.classList.contains("queue-decided");
    }

    function focusRow(row) {
      if (!row) {
        return;
      }
      if (current) {
        current.classList.remove("queue-current");
      }
      current = row;
      row.classList.add("queue-current");
      row.tabIndex = -1;
      row.focus();
    }

    function move(step) {
      const all = rows();
      const index = current ? all.indexOf(current) : -1;
      const next = index + step;
      focusRow(all[Math.min(all.length - 1, Math.max(0, next))]);
    }

    function nextUndecided(row) {
      const all = rows();
      const index = all.indexOf(row);
      const after = all.slice(index + 1).find((other) => !isDecided(other));
      return after || all.slice(0, index).find((other) => !isDecided(other)) || row;
    }

    function showStatus(row, status, label, message) {
      const actions = actionsOf(row);
      actions.dataset.status = status;
      for (const button of actions.querySelectorAll("button[name=status]")) {
        const target = button.value;
        button.hidden =
          target === status || (target === "pending" && status !== "approved");
      }
      const reply = actions.querySelector(".decide-reply");
      if (reply) {
        reply.hidden = status !== "pending" && status !== "approved";
      }
      row.classList.toggle("queue-decided", status !== actions.dataset.original);
      row.dataset.status = status;
      actions.querySelector(".row-outcome").textContent = message || label;
    }

    function showUndo(description) {
      if (!undoForm) {
        return;
      }
      undoForm.hidden = !description;
      undoText.textContent = description ? "Last decision: " + description : "";
    }

    function post(url, fields) {
      const body = new FormData();
      body.append("csrfmiddlewaretoken", csrfToken);
      for (const [name, value] of Object.entries(fields)) {
        body.append(name, value);
      }
      return fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
      }).then((response) =>
        response.json().then((data) => ({ ok: response.ok, data: data }))
      );
    }

    // One request at a time, in the order the editor acted.
    function inTurn(work) {
      sending = sending.then(work, work);
      return sending;
    }

    function decide(row, status) {
      const button = actionsOf(row).querySelector(
        "button[name=status][value='" + status + "']"
      );
      if (!button || button.hidden) {
        return;
      }
      row.classList.add("queue-sending");
      if (row === current) {
        focusRow(nextUndecided(row));
      }
      inTurn(() =>
        post(button.formAction, { status: status }).then(
          (answer) => {
            row.classList.remove("queue-sending");
            const data = answer.data;
            if (!answer.ok) {
              actionsOf(row).querySelector(".row-outcome").textContent = data.message;
              return;
            }
            showStatus(row, data.status, data.label, data.message);
            showUndo(data.undo);
          },
          () => {
            // No answer (network, session ended): send it the plain way.
            decideForm.requestSubmit(button);
          }
        )
      );
    }

    function undo() {
      if (!undoForm) {
        return;
      }
      inTurn(() =>
        post(undoForm.action, {}).then((answer) => {
          const data = answer.data;
          showUndo(data.undo);
          if (!answer.ok) {
            undoForm.hidden = false;
            undoText.textContent = data.message;
            return;
          }
          const actions = table.querySelector(
            ".row-actions[data-comment='" + data.comment + "']"
          );
          if (actions) {
            const row = actions.closest("tr");
            showStatus(row, data.status, data.label, data.message);
            focusRow(row);
          }
        })
      );
    }

    function toggleHelp() {
      if (!help) {
        return;
      }
      if (help.open) {
        help.close();
      } else {
        help.showModal();
      }
    }

    function open(row, selector) {
      const link = row && row.querySelector(selector);
      if (link) {
        window.location.assign(link.href);
      }
    }

    for (const actions of table.querySelectorAll(".row-actions")) {
      actions.dataset.original = actions.dataset.status;
    }

    table.addEventListener("click", (event) => {
      const button = event.target.closest("button[name=status]");
      if (!button || !button.closest(".row-actions")) {
        return;
      }
      event.preventDefault();
      const row = button.closest("tr");
      focusRow(row);
      decide(row, button.value);
    });

    table.addEventListener("focusin", (event) => {
      const row = event.target.closest("tbody tr");
      if (row && row !== current) {
        if (current) {
          current.classList.remove("queue-current");
        }
        current = row;
        row.classList.add("queue-current");
      }
    });

    if (undoForm) {
      undoForm.addEventListener("submit", (event) => {
        event.preventDefault();
        undo();
      });
    }

    if (helpButton && help) {
      helpButton.hidden = false;
      helpButton.addEventListener("click", toggleHelp);
    }

    document.addEventListener("keydown", (event) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      const target = event.target;
      if (target.closest("input, textarea, select, [contenteditable]")) {
        return;
      }
      if (event.key === "?") {
        event.preventDefault();
        toggleHelp();
        return;
      }
      if (help && help.open) {
        return; // the dialog keeps its own keys (Escape, Tab)
      }
      const key = event.key;
      if (key === "Enter") {
        // A focused link or button does what it says; a focused row opens.
        if (current && target === current) {
          event.preventDefault();
          open(current, ".comment-open");
        }
        return;
      }
      if (!(key in DECISION_KEYS) && !["j", "k", "r", "z"].includes(key)) {
        return;
      }
      event.preventDefault();
      if (key === "z") {
        undo();
        return;
      }
      if (!current) {
        focusRow(rows()[0]);
        if (key === "j" || key === "k") {
          return;
        }
      }
      if (key === "j") {
        move(1);
      } else if (key === "k") {
        move(-1);
      } else if (key === "r") {
        open(current, ".decide-reply");
      } else {
        decide(current, DECISION_KEYS[key]);
      }
    });
  }

  // The admin loads its scripts in the page's head, before the table exists.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startQueue);
  } else {
    startQueue();
  }
})();
