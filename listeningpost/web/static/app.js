// Listening Post workbench: player sync (click to seek, current word highlighted), word
// correction, split at cursor. Plain JS, no build step. Text is never inserted as HTML.
"use strict";

(function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  async function post(url, body) {
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body || {}),
      credentials: "same-origin",
    });
    if (!res.ok) {
      let msg = res.status + "";
      try { msg = (await res.json()).detail || msg; } catch (e) { /* not JSON */ }
      alert("Not saved: " + msg);
      return null;
    }
    return res.json();
  }

  const player = document.getElementById("player");
  const offset = player ? parseFloat(player.dataset.offset || "0") : 0;

  // words sorted by start time, for the highlight lookup
  const words = Array.from(document.querySelectorAll(".w[data-start]"))
    .map((el) => ({ el, start: parseFloat(el.dataset.start), end: parseFloat(el.dataset.end) }))
    .filter((w) => !isNaN(w.start))
    .sort((a, b) => a.start - b.start);
  let current = null;

  function highlight(t) {
    // last word starting at or before t (binary search)
    let lo = 0, hi = words.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (words[mid].start <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    const w = found >= 0 && t <= (isNaN(words[found].end) ? words[found].start + 1 : words[found].end) + 0.25 ? words[found] : null;
    if (w === current) return;
    if (current) current.el.classList.remove("cur");
    current = w;
    if (w) {
      w.el.classList.add("cur");
      const turn = w.el.closest(".turn");
      if (turn && !player.paused) turn.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  function seek(seconds) {
    if (!player || isNaN(seconds)) return;
    player.currentTime = offset + seconds;
    highlight(seconds);
    const p = player.play();
    if (p && p.catch) p.catch(() => {}); // autoplay may be refused; the seek still happened
  }

  if (player) {
    let raf = 0;
    const tick = () => { highlight(player.currentTime - offset); raf = player.paused ? 0 : requestAnimationFrame(tick); };
    player.addEventListener("play", () => { if (!raf) raf = requestAnimationFrame(tick); });
    player.addEventListener("seeked", () => highlight(player.currentTime - offset));
    player.addEventListener("timeupdate", () => highlight(player.currentTime - offset));
  }

  document.addEventListener("click", (ev) => {
    const target = ev.target.closest(".w[data-start], [data-seek]");
    if (!target || !player) return;
    ev.preventDefault();
    seek(parseFloat(target.dataset.seek !== undefined ? target.dataset.seek : target.dataset.start));
  });

  const layout = document.querySelector(".layout-call");
  const canEdit = !!document.querySelector(".tools");
  if (layout && canEdit) {
    const callId = layout.dataset.call;
    document.addEventListener("dblclick", async (ev) => {
      const w = ev.target.closest(".w[data-id]");
      if (!w) return;
      ev.preventDefault();
      const text = prompt("Correct the word", w.textContent.trim());
      if (text === null || text.trim() === "" || text.trim() === w.textContent.trim()) return;
      if (await post(`/api/calls/${callId}/words/${w.dataset.id}`, { text: text.trim() })) location.reload();
    });
    document.querySelectorAll("button.split").forEach((btn) => {
      btn.addEventListener("click", async () => {
        const area = btn.form.querySelector("textarea");
        if (await post(btn.dataset.url, { at: area.selectionStart })) location.reload();
      });
    });
  }
})();
