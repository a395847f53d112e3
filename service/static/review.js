// modq review page: keyboard shortcuts and in-place actions on top of plain forms.
// Without this script every button still works as a form POST that reloads the page.
"use strict";

(function () {
  const list = document.querySelector(".comments");
  if (!list) return;
  const statusLine = document.getElementById("status-line");
  const keysHint = document.getElementById("keys");
  const pickAll = document.getElementById("pick-all");
  let current = 0;

  if (keysHint) keysHint.hidden = false;

  function cards() {
    return Array.from(list.querySelectorAll(".comment"));
  }

  function select(index, scroll) {
    const all = cards();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((card, i) => card.classList.toggle("current", i === current));
    if (scroll) {
      all[current].focus({ preventScroll: true });
      all[current].scrollIntoView({ block: "nearest" });
    }
  }

  function say(message) {
    statusLine.textContent = message;
  }

  function bumpCount(status, delta) {
    const badge = document.querySelector('[data-count="' + status + '"]');
    if (badge) badge.textContent = String(Math.max(0, Number(badge.textContent) + delta));
  }

  function removeCard(card) {
    const index = cards().indexOf(card);
    card.remove();
    if (!cards().length) {
      say("Page cleared: loading the next comments…");
      window.location.reload();
      return;
    }
    select(index, true);
  }

  async function act(form, button) {
    const card = form.closest(".comment");
    if (card.classList.contains("leaving")) return; // already on its way
    card.classList.add("leaving");
    try {
      const response = await fetch(button.formAction, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.error || response.statusText);
      say(button.textContent.trim() + ": comment #" + answer.id);
      if (answer.previous !== answer.status) {
        bumpCount(answer.previous, -1);
        bumpCount(answer.status, 1);
      }
      if (answer.status !== list.dataset.status) removeCard(card);
      else card.classList.remove("leaving");
    } catch (error) {
      card.classList.remove("leaving");
      say("Could not update comment #" + card.dataset.id + ": " + error.message);
    }
  }

  list.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.classList.contains("actions") || !event.submitter) return;
    event.preventDefault();
    act(form, event.submitter);
  });

  list.addEventListener("click", (event) => {
    const card = event.target.closest(".comment");
    if (card) select(cards().indexOf(card), false);
  });

  if (pickAll) {
    pickAll.addEventListener("change", () => {
      cards().forEach((card) => { card.querySelector(".pick").checked = pickAll.checked; });
    });
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input:not([type=checkbox]), textarea, select, [contenteditable]")) return;
    const card = cards()[current];
    if (!card) return;
    if (event.key === "j" || event.key === "k") {
      select(current + (event.key === "j" ? 1 : -1), true);
    } else if (event.key === "x") {
      const box = card.querySelector(".pick");
      box.checked = !box.checked;
    } else {
      const button = card.querySelector('.actions button[data-key="' + event.key + '"]');
      if (!button) return;
      act(button.form, button);
    }
    event.preventDefault();
  }

  document.addEventListener("keydown", onKey);
  select(0, false);
})();
