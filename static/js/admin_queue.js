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

  const DECISION_KEYS = { a: "approved", u: "pending", d: "rejected", s: "spam" };
  const MOVE_KEYS = { j: 1, k: -1 };

  // The page's parts, found once the table exists (see start()).
  const queue = {
    table: null,
    decideForm: null,
    undoForm: null,
    help: null,
    csrfToken: "",
    current: null,
    sending: Promise.resolve(),
  };

  function rows() {
    return Array.from(queue.table.tBodies[0].rows);
  }

  function actionsOf(row) {
    return row.querySelector(".row-actions");
  }

  function isDecided(row) {
    return row.classList.contains("queue-decided");
  }

  // The row the keys act on: outlined, and focused so screen readers follow.
  function focusRow(row) {
    if (!row) {
      return;
    }
    markCurrent(row);
    row.tabIndex = -1;
    row.focus();
  }

  function markCurrent(row) {
    if (queue.current) {
      queue.current.classList.remove("queue-current");
    }
    queue.current = row;
    row.classList.add("queue-current");
  }

  function move(step) {
    const all = rows();
    const index = queue.current ? all.indexOf(queue.current) : -1;
    focusRow(all[Math.min(all.length - 1, Math.max(0, index + step))]);
  }

  function nextUndecided(row) {
    const all = rows();
    const index = all.indexOf(row);
    const after = all.slice(index + 1).find((other) => !isDecided(other));
    return after || all.slice(0, index).find((other) => !isDecided(other)) || row;
  }

  // Show the row as the server now has it: its buttons, and what was done.
  function showStatus(row, data) {
    const actions = actionsOf(row);
    const status = data.status;
    for (const button of actions.querySelectorAll("button[name=status]")) {
      const target = button.value;
      button.hidden =
        target === status || (target === "pending" && status !== "approved");
    }
    const reply = actions.querySelector(".decide-reply");
    if (reply) {
      reply.hidden = status !== "pending" && status !== "approved";
    }
    actions.dataset.status = status;
    row.classList.toggle("queue-decided", status !== actions.dataset.original);
    actions.querySelector(".row-outcome").textContent = data.message || data.label;
  }

  function showUndo(description, message) {
    if (!queue.undoForm) {
      return;
    }
    const text = message || (description ? "Last decision: " + description : "");
    queue.undoForm.hidden = !text;
    queue.undoForm.querySelector(".queue-undo-text").textContent = text;
  }

  function post(url, fields) {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", queue.csrfToken);
    for (const [name, value] of Object.entries(fields)) {
      body.append(name, value);
    }
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": queue.csrfToken },
    }).then((response) =>
      response.json().then((data) => ({ ok: response.ok, data: data }))
    );
  }

  // One request at a time, in the order the editor acted.
  function inTurn(work) {
    queue.sending = queue.sending.then(work, work);
    return queue.sending;
  }

  function decide(row, status) {
    const button = actionsOf(row).querySelector(
      "button[name=status][value='" + status + "']"
    );
    if (!button || button.hidden) {
      return;
    }
    row.classList.add("queue-sending");
    if (row === queue.current) {
      focusRow(nextUndecided(row));
    }
    inTurn(() =>
      post(button.formAction, { status: status }).then(
        (answer) => {
          row.classList.remove("queue-sending");
          if (!answer.ok) {
            actionsOf(row).querySelector(".row-outcome").textContent =
              answer.data.message;
            return;
          }
          showStatus(row, answer.data);
          showUndo(answer.data.undo);
        },
        // No answer the script understands (network, session ended): send
        // the decision the plain way, as without JavaScript.
        () => queue.decideForm.requestSubmit(button)
      )
    );
  }

  function undo() {
    if (!queue.undoForm) {
      return;
    }
    inTurn(() =>
      post(queue.undoForm.action, {}).then((answer) => {
        if (!answer.ok) {
          showUndo("", answer.data.message);
          return;
        }
        showUndo(answer.data.undo);
        const actions = queue.table.querySelector(
          ".row-actions[data-comment='" + answer.data.comment + "']"
        );
        if (actions) {
          const row = actions.closest("tr");
          showStatus(row, answer.data);
          focusRow(row);
        }
      })
    );
  }

  function toggleHelp() {
    if (queue.help.open) {
      queue.help.close();
    } else {
      queue.help.showModal();
    }
  }

  function open(row, selector) {
    const link = row && row.querySelector(selector);
    if (link) {
      window.location.assign(link.href);
    }
  }

  function isTyping(target) {
    return Boolean(target.closest("input, textarea, select, [contenteditable]"));
  }

  function onKey(event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (isTyping(event.target)) {
      return;
    }
    const key = event.key;
    if (key === "?") {
      event.preventDefault();
      toggleHelp();
      return;
    }
    if (queue.help.open) {
      return; // the dialog keeps its own keys (Escape, Tab)
    }
    if (key === "Enter") {
      // A focused link or button does what it says; a focused row opens.
      if (queue.current && event.target === queue.current) {
        event.preventDefault();
        open(queue.current, ".comment-open");
      }
      return;
    }
    if (!(key in DECISION_KEYS) && !(key in MOVE_KEYS) && key !== "r" && key !== "z") {
      return;
    }
    event.preventDefault();
    actOnKey(key);
  }

  function actOnKey(key) {
    if (key === "z") {
      undo();
      return;
    }
    if (!queue.current) {
      // The first key chooses the first comment; only a decision also acts.
      focusRow(rows()[0]);
      if (key in MOVE_KEYS) {
        return;
      }
    }
    if (key in MOVE_KEYS) {
      move(MOVE_KEYS[key]);
    } else if (key === "r") {
      open(queue.current, ".decide-reply");
    } else {
      decide(queue.current, DECISION_KEYS[key]);
    }
  }

  function onRowButton(event) {
    const button = event.target.closest(".row-actions button[name=status]");
    if (!button) {
      return;
    }
    event.preventDefault();
    const row = button.closest("tr");
    focusRow(row);
    decide(row, button.value);
  }

  function start() {
    queue.table = document.getElementById("result_list");
    queue.decideForm = document.getElementById("queue-decide");
    queue.help = document.getElementById("queue-keys");
    if (!queue.table || !queue.decideForm || !queue.help || !queue.table.tBodies.length) {
      return;
    }
    queue.undoForm = document.querySelector(".queue-undo");
    queue.csrfToken = queue.decideForm.querySelector("[name=csrfmiddlewaretoken]").value;
    for (const actions of queue.table.querySelectorAll(".row-actions")) {
      actions.dataset.original = actions.dataset.status;
    }
    queue.table.addEventListener("click", onRowButton);
    queue.table.addEventListener("focusin", (event) => {
      const row = event.target.closest("tbody tr");
      if (row && row !== queue.current) {
        markCurrent(row);
      }
    });
    if (queue.undoForm) {
      queue.undoForm.addEventListener("submit", (event) => {
        event.preventDefault();
        undo();
      });
    }
    const helpButton = document.querySelector(".queue-keys-open");
    if (helpButton) {
      helpButton.hidden = false;
      helpButton.addEventListener("click", toggleHelp);
    }
    document.addEventListener("keydown", onKey);
  }

  // The admin loads its scripts in the page's head, before the table exists.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
