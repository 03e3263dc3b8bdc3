// The staff console's live updates: one EventSource per page; changed conversations are redrawn in place.
(function () {
  "use strict";
  const page = document.body.dataset.page;
  if (!page || page === "login") return;
  const live = document.querySelector("[data-live]");

  function setLive(on) {
    if (!live) return;
    live.hidden = false;
    live.classList.toggle("off", !on);
    live.textContent = on ? (document.documentElement.lang === "ru" ? "● в реальном времени" : "● live")
                          : (document.documentElement.lang === "ru" ? "переподключение…" : "reconnecting…");
  }

  function busy(region) {
    // Never redraw under the staff member's hands: a focused field or text typed and not yet sent.
    if (!region) return false;
    if (region.contains(document.activeElement) && document.activeElement !== document.body) return true;
    return Array.from(region.querySelectorAll("textarea, input[type=text], input:not([type])"))
      .some((field) => field.value && field.value !== field.defaultValue);
  }

  async function fetchJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.status === 401) { window.location.reload(); return null; }
    return response.ok ? response.json() : null;
  }

  let pending = null;
  function soon(work) {
    // Coalesce bursts of events into one redraw.
    if (pending) return;
    pending = setTimeout(async () => { pending = null; try { await work(); } catch (e) { /* next event retries */ } }, 150);
  }

  async function redrawInbox(changed) {
    const table = document.querySelector("[data-rows-url]");
    const body = document.querySelector("[data-inbox-rows]");
    if (!table || !body) return;
    const response = await fetch(table.dataset.rowsUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    body.innerHTML = await response.text();
    for (const id of changed || []) {
      const row = body.querySelector(`tr[data-conversation="${CSS.escape(id)}"]`);
      if (row) row.classList.add("flash-row");
    }
  }

  async function redrawConversation() {
    const root = document.querySelector("[data-live-url]");
    if (!root) return;
    const parts = await fetchJson(root.dataset.liveUrl);
    if (!parts) return;
    const transcript = root.querySelector('[data-region="transcript"]');
    const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
    if (transcript) transcript.innerHTML = parts.transcript;
    const card = root.querySelector('[data-region="card"]');
    if (card && !busy(card)) {
      const opened = openDetails(card);
      card.innerHTML = parts.card;
      reopen(card, opened);
    }
    const status = root.querySelector('[data-region="status"]');
    if (status && status.dataset.version !== parts.version && !busy(status)) {
      status.innerHTML = parts.status;
      status.dataset.version = parts.version;
    }
    const reply = root.querySelector("[data-reply-form]");
    if (reply) reply.hidden = !parts.staff_owned;
    if (atBottom) window.scrollTo(0, document.body.scrollHeight);
  }

  function openDetails(region) {
    // Which folded sections ("Edit and approve", "Reject") staff have open, by card and position.
    return Array.from(region.querySelectorAll("[data-approval]")).flatMap((card) =>
      Array.from(card.querySelectorAll("details")).flatMap((details, index) =>
        details.open ? [`${card.dataset.approval}:${index}`] : []));
  }

  function reopen(region, keys) {
    for (const key of keys) {
      const [id, index] = key.split(":");
      const card = region.querySelector(`[data-approval="${CSS.escape(id)}"]`);
      const details = card && card.querySelectorAll("details")[Number(index)];
      if (details) details.open = true;
    }
  }

  async function redrawApprovals() {
    const list = document.querySelector("[data-approvals]");
    if (!list || busy(list)) return;
    const parts = await fetchJson(list.dataset.liveUrl);
    if (!parts || busy(list)) return;  // asked again: staff may have started typing during the fetch
    const opened = openDetails(list);  // read after the fetch: a section opened meanwhile stays open too
    list.innerHTML = parts.html;
    reopen(list, opened);
  }

  function onChanged(ids) {
    if (page === "inbox") soon(() => redrawInbox(ids));
    else if (page === "conversation") {
      const root = document.querySelector("[data-conversation]");
      if (root && ids.includes(root.dataset.conversation)) soon(redrawConversation);
    } else if (page === "approvals") soon(redrawApprovals);
  }

  function redrawAll() {
    if (page === "inbox") soon(() => redrawInbox([]));
    else if (page === "conversation") soon(redrawConversation);
    else if (page === "approvals") soon(redrawApprovals);
  }

  let opened = false;
  const source = new EventSource("/console/events");
  source.addEventListener("open", () => { setLive(true); if (opened) redrawAll(); opened = true; });
  source.addEventListener("error", () => setLive(false));
  source.addEventListener("changed", (event) => onChanged(JSON.parse(event.data).conversations || []));
  source.addEventListener("reload", redrawAll);

  if (page === "conversation") {
    window.scrollTo(0, document.body.scrollHeight);
    const reply = document.querySelector("[data-reply-form] textarea");
    if (reply) reply.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) event.target.form.requestSubmit();
    });
  }
})();
