/*
 * Frontdesk web-chat widget: one <script> tag, no dependencies, no external requests.
 *
 *   <script src="https://YOUR-HOST/webchat/widget.js" data-lang="ru" data-title="Студия" async></script>
 *
 * data-lang       "en" or "ru" (else the page's <html lang>, else the browser's language)
 * data-title      the panel's title
 * data-transport  "auto" (WebSocket, falling back to SSE + POST), "sse" or "websocket"
 * data-open       "true" opens the panel when the page loads
 * data-color      the accent colour (any CSS colour)
 *
 * Protocol: docs/channels/webchat.md. Every message the visitor sends has an id made here; it
 * stays in local storage until the server acknowledges it and is resent with the same id after a
 * reconnect (the server answers it once). Every bubble is keyed by its id, so a message from the
 * history, a live frame and a resend never show twice.
 */
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || window.FrontdeskWebchat) return;

  const STRINGS = {
    en: {
      title: "Chat with us", open: "Open chat", close: "Close chat", placeholder: "Type a message…",
      send: "Send", typing: "Typing…", connecting: "Connecting…", reconnecting: "Connection lost. Reconnecting…",
      failed: "Not sent", tooLong: "The message is too long (4000 characters at most).", log: "Messages",
      unread: "New message", options: "Suggested answers",
    },
    ru: {
      title: "Напишите нам", open: "Открыть чат", close: "Закрыть чат", placeholder: "Напишите сообщение…",
      send: "Отправить", typing: "Печатает…", connecting: "Подключаемся…", reconnecting: "Связь потеряна. Подключаемся снова…",
      failed: "Не отправлено", tooLong: "Сообщение слишком длинное (не больше 4000 символов).", log: "Сообщения",
      unread: "Новое сообщение", options: "Варианты ответа",
    },
  };
  const data = script.dataset;
  const lang = [data.lang, document.documentElement.lang, ...(navigator.languages || [navigator.language])]
    .map((code) => String(code || "").slice(0, 2).toLowerCase())
    .find((code) => code in STRINGS) || "en";
  const t = STRINGS[lang];
  const title = data.title || t.title;
  const preference = ["sse", "websocket"].includes(data.transport) ? data.transport : "auto";
  const base = new URL(script.src, location.href).href.replace(/\/webchat\/widget\.js([?#].*)?$/, "");
  const TEXT_LIMIT = 4000;
  const TYPING_MS = 30000;

  /* ---------- storage: the session id and the unacknowledged messages ---------- */
  const prefix = "frontdesk-webchat:" + base + ":";
  const load = (key, fallback) => {
    try { return JSON.parse(localStorage.getItem(prefix + key)) ?? fallback; } catch { return fallback; }
  };
  const save = (key, value) => {
    try { localStorage.setItem(prefix + key, JSON.stringify(value)); } catch { /* private mode */ }
  };
  const randomHex = (bytes) =>
    Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
  let session = load("session", null);
  if (typeof session !== "string" || !/^[A-Za-z0-9_-]{8,64}$/.test(session)) {
    session = "s_" + randomHex(12);
    save("session", session);
  }
  let outbox = load("outbox:" + session, []);
  if (!Array.isArray(outbox)) outbox = [];
  const saveOutbox = () => save("outbox:" + session, outbox);
  const newId = () => "m" + Date.now().toString(36) + randomHex(4);

  /* ---------- the view ---------- */
  const host = document.createElement("div");
  host.id = "frontdesk-webchat";
  const root = host.attachShadow({ mode: "open" });
  const accent = data.color && CSS.supports("color", data.color) ? data.color : "#2f6f5e";
  root.innerHTML = `
<style>
  :host { all: initial; --accent: ${accent}; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
  * { box-sizing: border-box; }
  button, textarea { font: inherit; }
  .fd-launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 56px; height: 56px;
    border-radius: 50%; border: 0; background: var(--accent); color: #fff; cursor: pointer;
    box-shadow: 0 4px 14px rgba(0,0,0,.25); display: grid; place-items: center; }
  .fd-launcher svg { width: 28px; height: 28px; fill: currentColor; }
  .fd-launcher .fd-badge { position: absolute; top: 4px; right: 4px; width: 12px; height: 12px; border-radius: 50%;
    background: #e53935; border: 2px solid #fff; }
  .fd-panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483001; width: 370px; height: min(600px, calc(100vh - 110px));
    display: flex; flex-direction: column; background: #fff; color: #1d1d1f; border-radius: 14px; overflow: hidden;
    box-shadow: 0 8px 30px rgba(0,0,0,.25); }
  .fd-panel[hidden], .fd-launcher[hidden], [hidden] { display: none !important; }
  .fd-header { display: flex; align-items: center; gap: 8px; padding: 12px 14px; background: var(--accent); color: #fff; }
  .fd-title { flex: 1; margin: 0; font-size: 16px; font-weight: 600; }
  .fd-close { background: transparent; border: 0; color: inherit; font-size: 24px; line-height: 1; cursor: pointer;
    width: 44px; height: 44px; margin: -10px -8px -10px 0; }
  .fd-status { padding: 6px 14px; font-size: 13px; background: #fff4e5; color: #6b4400; }
  .fd-log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f6f7f8; }
  .fd-msg { max-width: 82%; padding: 8px 12px; border-radius: 14px; white-space: pre-wrap; overflow-wrap: anywhere; }
  .fd-bot, .fd-staff { align-self: flex-start; background: #fff; border: 1px solid #e3e5e8; border-bottom-left-radius: 4px; }
  .fd-customer { align-self: flex-end; background: var(--accent); color: #fff; border-bottom-right-radius: 4px; }
  .fd-pending { opacity: .6; }
  .fd-failed { background: #fdecea; color: #8a1c13; border: 1px solid #f5c2bd; }
  .fd-reason { display: block; font-size: 12px; margin-top: 4px; }
  .fd-chips { display: flex; flex-wrap: wrap; gap: 6px; padding: 0 12px 8px; background: #f6f7f8; }
  .fd-chip { border: 1px solid var(--accent); color: var(--accent); background: #fff; border-radius: 16px;
    padding: 8px 12px; min-height: 36px; cursor: pointer; }
  .fd-chip:hover { background: var(--accent); color: #fff; }
  .fd-typing { align-self: flex-start; display: flex; gap: 4px; padding: 12px 14px; background: #fff;
    border: 1px solid #e3e5e8; border-radius: 14px; }
  .fd-typing span { width: 7px; height: 7px; border-radius: 50%; background: #8a8f98; animation: fd-blink 1.2s infinite; }
  .fd-typing span:nth-child(2) { animation-delay: .2s; } .fd-typing span:nth-child(3) { animation-delay: .4s; }
  @keyframes fd-blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }
  @media (prefers-reduced-motion: reduce) { .fd-typing span { animation: none; } }
  .fd-form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e3e5e8; background: #fff; }
  .fd-input { flex: 1; resize: none; border: 1px solid #c9cdd2; border-radius: 10px; padding: 9px 10px;
    max-height: 120px; color: inherit; background: #fff; }
  .fd-send { border: 0; border-radius: 10px; background: var(--accent); color: #fff; padding: 0 14px; min-width: 44px; cursor: pointer; }
  :focus-visible { outline: 3px solid orange; outline-offset: 2px; }
  @media (max-width: 480px) {
    .fd-panel { inset: 0; width: 100%; height: 100%; height: 100dvh; border-radius: 0; }
    .fd-panel:not([hidden]) ~ .fd-launcher { display: none; }
  }
</style>
<div class="fd-panel" role="dialog" aria-modal="false" hidden>
  <div class="fd-header"><h2 class="fd-title"></h2><button type="button" class="fd-close">×</button></div>
  <div class="fd-status" role="status" aria-live="polite" hidden></div>
  <div class="fd-log" role="log" aria-live="polite"></div>
  <div class="fd-chips" role="group" hidden></div>
  <form class="fd-form"><textarea class="fd-input" rows="1"></textarea><button type="submit" class="fd-send">➤</button></form>
</div>
<button type="button" class="fd-launcher" aria-expanded="false">
  <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z"/></svg>
  <span class="fd-badge" hidden></span>
</button>`;
  const $ = (selector) => root.querySelector(selector);
  const panel = $(".fd-panel"), launcher = $(".fd-launcher"), badge = $(".fd-badge"), status = $(".fd-status");
  const log = $(".fd-log"), chips = $(".fd-chips"), form = $(".fd-form"), input = $(".fd-input");
  panel.id = "fd-panel-" + session;
  panel.setAttribute("aria-label", title);
  $(".fd-title").textContent = title;
  $(".fd-close").setAttribute("aria-label", t.close);
  $(".fd-send").setAttribute("aria-label", t.send);
  input.setAttribute("aria-label", t.placeholder);
  input.placeholder = t.placeholder;
  input.maxLength = TEXT_LIMIT;
  log.setAttribute("aria-label", t.log);
  chips.setAttribute("aria-label", t.options);
  launcher.setAttribute("aria-label", t.open);
  launcher.setAttribute("aria-controls", panel.id);
  badge.setAttribute("aria-label", t.unread);

  /* ---------- the model: one item per message id ---------- */
  let items = [];
  let received = 0; // counts messages sent and frames received, to keep those newer than a history request
  let typingTimer = null;
  let replyTimer = null; // a safety net: no reply 15 s after an ack, read the history once
  let typing = false;

  const render = () => {
    log.replaceChildren();
    for (const item of items) {
      const bubble = document.createElement("div");
      bubble.className = `fd-msg fd-${item.from}` + (item.state === "pending" ? " fd-pending" : "") +
        (item.state === "failed" ? " fd-failed" : "");
      bubble.dataset.id = item.id;
      bubble.textContent = item.text;
      if (item.state === "failed") {
        const reason = document.createElement("span");
        reason.className = "fd-reason";
        reason.textContent = `${t.failed}: ${item.reason || ""}`;
        bubble.append(reason);
      }
      log.append(bubble);
    }
    if (typing) {
      const dots = document.createElement("div");
      dots.className = "fd-typing";
      dots.setAttribute("role", "status");
      dots.setAttribute("aria-label", t.typing);
      dots.append(document.createElement("span"), document.createElement("span"), document.createElement("span"));
      log.append(dots);
    }
    const last = items[items.length - 1];
    const options = last && last.from !== "customer" ? last.buttons || [] : [];
    chips.replaceChildren(...options.map((option) => {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "fd-chip";
      chip.textContent = option;
      chip.addEventListener("click", () => send(option, "button"));
      return chip;
    }));
    chips.hidden = options.length === 0;
    log.scrollTop = log.scrollHeight;
  };

  const setTyping = (on) => {
    clearTimeout(typingTimer);
    typing = on;
    if (on) typingTimer = setTimeout(() => setTyping(false), TYPING_MS);
    render();
  };

  const setStatus = (text) => {
    status.textContent = text;
    status.hidden = !text;
  };

  const addBusinessMessage = (frame) => {
    if (items.some((item) => item.id === frame.id)) return;
    received += 1;
    items.push({ id: frame.id, from: frame.from || "bot", text: frame.text || "", buttons: frame.buttons || [],
      seen: received });
    if (panel.hidden) badge.hidden = false;
    clearTimeout(replyTimer);
    setTyping(false);
  };

  const settle = (id, state, reason) => {
    outbox = outbox.filter((message) => message.id !== id);
    saveOutbox();
    const item = items.find((candidate) => candidate.id === id);
    if (item) Object.assign(item, { state, reason });
    if (state === "sent") {
      clearTimeout(replyTimer);
      replyTimer = setTimeout(loadHistory, 15000);
    }
    render();
  };

  const handle = (frame) => {
    if (!frame || typeof frame !== "object") return;
    if (frame.type === "message") addBusinessMessage(frame);
    else if (frame.type === "typing") setTyping(true);
    else if (frame.type === "ack") settle(frame.id, "sent");
    else if (frame.type === "error" && frame.id) settle(frame.id, "failed", frame.reason);
    else if (frame.type === "error") setStatus(frame.reason || "");
  };

  /* ---------- history: the server's record, plus what it does not have yet ---------- */
  const loadHistory = async () => {
    const asked = received;
    const waiting = new Set(outbox.map((message) => message.id)); // acknowledged meanwhile: still kept
    let body;
    try {
      const response = await fetch(`${base}/webchat/sessions/${session}/history`, { cache: "no-store" });
      if (!response.ok) return;
      body = await response.json();
    } catch { return; }
    const known = new Set();
    const next = [];
    for (const frame of body.messages || []) {
      if (known.has(frame.id)) continue;
      known.add(frame.id);
      next.push({ id: frame.id, from: frame.from || "bot", text: frame.text || "", buttons: frame.buttons || [],
        state: "sent" });
    }
    outbox.forEach((message) => waiting.add(message.id));
    for (const item of items) {
      const keep = waiting.has(item.id) || item.state === "failed" || (item.seen || 0) > asked;
      if (!known.has(item.id) && keep) next.push(item);
    }
    items = next;
    const last = items[items.length - 1];
    if (last && last.from !== "customer") typing = false;
    render();
  };

  /* ---------- transports ---------- */
  let mode = preference === "sse" || !("WebSocket" in window) ? "sse" : "ws";
  let socket = null, events = null, connected = false, started = false;
  let attempt = 0, wsFailures = 0, retryTimer = null;
  const posting = new Set();

  const post = async (message) => {
    if (posting.has(message.id)) return;
    posting.add(message.id);
    try {
      const response = await fetch(`${base}/webchat/sessions/${session}/messages`, {
        method: "POST", body: JSON.stringify(message), headers: { "Content-Type": "text/plain;charset=UTF-8" },
      });
      const answer = await response.json().catch(() => ({}));
      if (response.status === 202) settle(message.id, "sent");
      else if (response.status === 400 || response.status === 413) settle(message.id, "failed", answer.detail);
      else scheduleFlush();
    } catch {
      scheduleFlush();
    } finally {
      posting.delete(message.id);
    }
  };

  let flushTimer = null;
  const scheduleFlush = () => {
    if (!flushTimer) flushTimer = setTimeout(() => { flushTimer = null; flush(); }, 2000);
  };

  const transmit = (message) => {
    if (mode === "sse") post(message);
    else if (connected && socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  const flush = () => outbox.forEach(transmit);

  const onReady = () => {
    connected = true;
    attempt = 0;
    setStatus("");
    flush();
    loadHistory();
  };

  const reconnect = () => {
    connected = false;
    setStatus(t.reconnecting);
    clearTimeout(retryTimer);
    const delay = Math.min(30000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
    attempt += 1;
    retryTimer = setTimeout(connect, delay);
  };

  const connectSocket = () => {
    const url = base.replace(/^http/, "ws") + `/webchat/ws/${session}`;
    let ready = false;
    let current;
    try { current = new WebSocket(url); } catch { current = null; }
    const failed = () => {
      if (socket !== current) return;
      socket = null;
      if (!ready) wsFailures += 1;
      if (!ready && wsFailures >= 2 && preference !== "websocket") {
        mode = "sse";
        attempt = 0;
        connect();
        return;
      }
      reconnect();
    };
    socket = current;
    if (!current) { failed(); return; }
    current.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame.type === "ready") { ready = true; wsFailures = 0; onReady(); } else handle(frame);
    };
    current.onclose = failed;
  };

  const connectEvents = () => {
    const current = new EventSource(`${base}/webchat/sessions/${session}/events`);
    events = current;
    current.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame.type === "ready") onReady(); else handle(frame);
    };
    current.onerror = () => {
      if (events !== current) return;
      connected = false;
      setStatus(t.reconnecting);
      if (current.readyState === EventSource.CLOSED) {
        events = null;
        reconnect();
      }
    };
  };

  function connect() {
    clearTimeout(retryTimer);
    if (socket || events) return;
    setStatus(attempt ? t.reconnecting : t.connecting);
    if (mode === "ws") connectSocket(); else connectEvents();
  }

  const start = () => {
    if (started) return;
    started = true;
    save("started:" + session, true);
    for (const message of outbox) {
      items.push({ id: message.id, from: "customer", text: message.text, state: "pending" });
    }
    render();
    connect();
  };

  /* ---------- sending ---------- */
  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined; } catch { return undefined; }
  }

  function send(text, kind) {
    const clean = String(text || "").trim();
    if (!clean) return;
    if (clean.length > TEXT_LIMIT) { setStatus(t.tooLong); return; }
    start();
    const message = { id: newId(), text: clean, kind, tz: browserZone() };
    outbox.push(message);
    saveOutbox();
    received += 1;
    items.push({ id: message.id, from: "customer", text: clean, state: "pending", seen: received });
    render();
    transmit(message);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(input.value, "text");
    input.value = "";
    input.focus();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  /* ---------- opening and closing ---------- */
  const open = () => {
    panel.hidden = false;
    badge.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", t.close);
    start();
    render();
    input.focus();
  };
  const close = () => {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", t.open);
    launcher.focus();
  };
  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  $(".fd-close").addEventListener("click", close);
  root.addEventListener("keydown", (event) => { if (event.key === "Escape" && !panel.hidden) close(); });
  window.addEventListener("online", () => { if (started && !connected) { attempt = 0; connect(); } });

  const mount = () => {
    document.body.append(host);
    if (data.open === "true") open();
    else if (load("started:" + session, false) || outbox.length) start();
  };
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  window.FrontdeskWebchat = {
    open, close, session: () => session, transport: () => mode, connected: () => connected,
  };
})();
