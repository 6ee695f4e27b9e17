// Inserts the chosen canned opening into the admin reply textarea. Without
// JavaScript the server puts the chosen opening before the text instead, so
// after inserting here the select is reset to avoid adding it twice.
// Listening on the document works however early this file runs.
"use strict";
document.addEventListener("change", (event) => {
  const select = event.target;
  if (!(select instanceof HTMLSelectElement) || !select.dataset.cannedFor) return;
  const textarea = document.getElementById(select.dataset.cannedFor);
  const option = select.selectedOptions[0];
  const text = option && option.dataset.text;
  if (!textarea || !text) return;
  const rest = textarea.value.trim();
  textarea.value = rest ? `${text.trim()}\n\n${rest}` : `${text.trim()}\n\n`;
  select.value = "";
  textarea.focus();
  textarea.setSelectionRange(textarea.value.length, textarea.value.length);
});
