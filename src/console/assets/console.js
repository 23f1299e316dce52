// The Errand console's one script: progressive bits only. Every page works
// without it; with it, the journal and the poster's desk follow live and a
// proof's file is previewed before it is sent.
"use strict";

// Live journal: the table names its SSE source and where it left off; each
// event that arrives and matches the page's filters is added on top.
function followJournal(table) {
  const status = document.getElementById("live-status");
  const body = table.tBodies[0];
  const stream = table.dataset.stream || "";
  const type = table.dataset.type || "";
  const source = new EventSource(table.dataset.follow + "?after=" + encodeURIComponent(table.dataset.after || "0"));
  const say = (text) => { if (status) status.textContent = text; };
  source.onopen = () => say("Live: following");
  source.onerror = () => say("Live: reconnecting…");
  source.addEventListener("event", (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch { return; }
    if (!event.stream_id.startsWith(stream) || (type && event.type !== type)) return;
    if (body.querySelector('tr[data-position="' + event.position + '"]')) return;
    const row = document.createElement("tr");
    row.dataset.position = String(event.position);
    row.className = "fresh";
    const cell = (child) => { const td = document.createElement("td"); td.append(child); row.append(td); return td; };
    const link = document.createElement("a");
    link.href = "/console/journal/events/" + event.position;
    link.textContent = "#" + event.position;
    cell(link).className = "num";
    cell(document.createTextNode(event.type));
    const code = document.createElement("code");
    code.textContent = event.stream_id;
    cell(code);
    cell(document.createTextNode(event.recorded_at.replace("T", " ").replace(/\.\d+/, "").replace("Z", " UTC")));
    body.prepend(row);
    // Bounded: the page keeps the newest 500 rows.
    while (body.rows.length > 500) body.deleteRow(body.rows.length - 1);
  });
}

// Poster's desk: its status follows the read models. The server answers once
// they have moved past the position the status was drawn at (204 if they did
// not for a while) with the status's parts, each swapped for the element of
// its id. A session that ended is answered with a redirect to sign in, which
// ends the following.
async function followDesk(id) {
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  for (;;) {
    const status = document.getElementById(id);
    if (!status) return;
    const asked = Date.now();
    try {
      const url = status.dataset.live + "?after=" + encodeURIComponent(status.dataset.after || "0");
      const response = await fetch(url, { redirect: "manual", headers: { accept: "text/html" } });
      if (response.type === "opaqueredirect") return;
      if (response.status === 200) {
        const parts = document.createElement("template");
        parts.innerHTML = await response.text();
        for (const fresh of Array.from(parts.content.children)) {
          const old = fresh.id && document.getElementById(fresh.id);
          if (old) old.replaceWith(fresh);
        }
      } else if (response.status !== 204) {
        await pause(5000);
      }
    } catch {
      await pause(5000);
    }
    // At most one status every two seconds, however busy the ledger is.
    await pause(Math.max(0, 2000 - (Date.now() - asked)));
  }
}

// A proof's file: an image is shown, anything else named, before sending.
function previewFile(input) {
  const target = document.getElementById(input.dataset.preview);
  if (!target) return;
  let url = null;
  input.addEventListener("change", () => {
    if (url) URL.revokeObjectURL(url);
    target.replaceChildren();
    const file = input.files && input.files[0];
    if (!file) return;
    if (file.type.startsWith("image/")) {
      url = URL.createObjectURL(file);
      const img = document.createElement("img");
      img.src = url;
      img.alt = "Preview of " + file.name;
      target.append(img);
    }
    const caption = document.createElement("p");
    caption.textContent = file.name + " · " + (file.type || "unknown type") + " · " + Math.ceil(file.size / 1024) + " KiB";
    target.append(caption);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const journal = document.querySelector("table[data-follow]");
  if (journal && window.EventSource) followJournal(journal);
  document.querySelectorAll("input[type=file][data-preview]").forEach(previewFile);
  if (document.getElementById("desk-status") && window.fetch) followDesk("desk-status");
});
