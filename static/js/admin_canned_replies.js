// Inserts the chosen canned opening into the admin reply textarea. Without
// JavaScript the server puts the chosen opening before the text instead, so
// after inserting here the select is reset to avoid adding it twice.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-canned-for]")) {
    const textarea = document.getElementById(select.dataset.cannedFor);
    if (!textarea) continue;
    select.addEventListener("change", () => {
      const option = select.selectedOptions[0];
      const text = option && option.dataset.text;
      if (!text) return;
      const rest = textarea.value.trim();
      textarea.value = rest ? `${text.trim()}\n\n${rest}` : `${text.trim()}\n\n`;
      select.value = "";
      textarea.focus();
      textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    });
  }
});
