// The live conference in the browser: one socket per room on the page.
//
// Every element with data-room-socket="<join code>" gets a RoomConnection
// to /ws/rooms/<code>/?format=html. The server sends (docs/protocol.md):
//   snapshot {seq}            on connect and after a resync
//   event {seq, event}        one per committed event, numbered 1, 2, 3...
//   html {seq, panels}        server-rendered panels by element id
//   ack {id} / rejected {id, message}   the answer to one of our commands
//   presence {online, trainer}          who is connected
// and we send ping (every 20 s), resync {since} when an event number skips,
// and command {id, name, args[, as_role]} when a form marked data-command is
// submitted. A command keeps its id until it is answered, so resending it
// (after a reconnect, or a second tap) can never apply it twice.
//
// Swapping a panel never loses what someone is typing: a form that has focus,
// unsaved input or a command in flight has its values carried into the new
// panel's form with the same id, and a form that disappears while it holds
// unsent input is kept, marked as a draft, until it is sent or discarded.

const HEARTBEAT_MS = 20_000;
const SILENCE_LIMIT_MS = 50_000;
// Reconnect after a random wait between 0 and a cap that starts at BASE and
// doubles per failed attempt up to MAX ("full jitter", docs/protocol.md), so a
// room's phones do not all knock at once after a restart, and none waits more
// than 8 s once the server is back.
const BASE_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8_000;
const FINAL_CLOSE_CODES = new Map([
  [4401, "You have been signed out. Sign in again to rejoin."],
  [4403, "You no longer have a seat in this room."],
  [4404, "This room no longer exists."],
]);

// Helpers ---------------------------------------------------------------------

function newId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // Plain http on a local network is not a secure context: no randomUUID.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function byId(root, id) {
  return root.querySelector(`#${CSS.escape(id)}`);
}

function setPath(target, path, value) {
  const parts = path.split(".");
  let node = target;
  parts.forEach((part, index) => {
    const key = /^\d+$/.test(part) ? Number(part) : part;
    if (index === parts.length - 1) {
      node[key] = value;
      return;
    }
    if (node[key] === undefined) node[key] = /^\d+$/.test(parts[index + 1]) ? [] : {};
    node = node[key];
  });
}

function compact(value) {
  if (Array.isArray(value)) return value.filter((item) => item !== undefined).map(compact);
  if (value && typeof value === "object") {
    for (const key of Object.keys(value)) value[key] = compact(value[key]);
  }
  return value;
}

function convert(raw, type, optional) {
  if (raw === "" && optional) return null;
  switch (type) {
    case "bool":
      return raw === "true" || raw === "on" || raw === "1";
    case "int":
      return raw === "" ? null : Number.parseInt(raw, 10);
    case "json":
      return raw === "" ? null : JSON.parse(raw);
    case "list":
      return raw === "" ? [] : [raw];
    case "lines":
      return raw.split("\n").map((line) => line.trim()).filter(Boolean);
    default:
      return raw;
  }
}

// Questions a GOV.UK conditional reveal hides do not apply: leave them out.
const HIDDEN_CONDITIONAL = ".govuk-radios__conditional--hidden, .govuk-checkboxes__conditional--hidden";

function isField(el) {
  return el.name && !el.disabled && !["submit", "button", "reset", "fieldset"].includes(el.type);
}

// Read a form into command arguments, using the data-type convention.
export function formArgs(form, submitter) {
  const args = {};
  const errors = [];
  const fields = Array.from(form.elements).filter(isField);
  const done = new Set();
  const rowIncluded = (el) => {
    const row = el.closest("[data-row]");
    if (!row) return true;
    const key = row.querySelector("[data-row-key]");
    return Boolean(key && key.value.trim());
  };
  for (const el of fields) {
    if (!rowIncluded(el) || el.closest(HIDDEN_CONDITIONAL)) continue;
    const { name } = el;
    const type = el.dataset.type || "";
    const optional = "optional" in el.dataset;
    if (el.type === "radio" || (el.type === "checkbox" && type === "list")) {
      if (done.has(name)) continue;
      done.add(name);
      const group = fields.filter((f) => f.name === name && f.type === el.type);
      const required = group.find((f) => f.dataset.requiredMessage);
      if (el.type === "radio") {
        const checked = group.find((f) => f.checked);
        if (checked) {
          setPath(args, name, convert(checked.value, checked.dataset.type || "", "optional" in checked.dataset));
        } else if (required) {
          errors.push({ field: required, message: required.dataset.requiredMessage });
        } else if (group.some((f) => "optional" in f.dataset)) {
          setPath(args, name, null);
        }
      } else {
        const values = group.filter((f) => f.checked).map((f) => f.value);
        if (!values.length && required) {
          errors.push({ field: required, message: required.dataset.requiredMessage });
        }
        setPath(args, name, values);
      }
    } else if (el.type === "checkbox") {
      setPath(args, name, type && type !== "bool" ? (el.checked ? convert(el.value, type) : null) : el.checked);
    } else {
      if (!el.value.trim() && el.dataset.requiredMessage) {
        errors.push({ field: el, message: el.dataset.requiredMessage });
        continue;
      }
      try {
        setPath(args, name, convert(el.value, type, optional));
      } catch {
        errors.push({ field: el, message: `Check the format of ${el.labels?.[0]?.textContent.trim() || name}` });
      }
    }
  }
  if (submitter?.name) setPath(args, submitter.name, submitter.value);
  return { args: compact(args), errors };
}

function isDirty(form) {
  return Array.from(form.elements).some((el) => {
    if (!isField(el)) return false;
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") {
      // With no option marked selected, the first one is the default.
      const initial = Array.from(el.options).find((o) => o.defaultSelected) || el.options[0];
      return el.value !== (initial ? initial.value : "");
    }
    if (el.type === "hidden") return false;
    return el.value !== el.defaultValue;
  });
}

function twinOf(el, form) {
  if (el.id) {
    const same = byId(form, el.id);
    if (same) return same;
  }
  const named = Array.from(form.elements).filter((f) => f.name === el.name);
  if (el.type === "radio" || el.type === "checkbox") return named.find((f) => f.value === el.value) || null;
  return named[0] || null;
}

function carryValues(from, to) {
  for (const el of Array.from(from.elements).filter(isField)) {
    if (el.type === "hidden") continue;
    const twin = twinOf(el, to);
    if (!twin) continue;
    if (el.type === "checkbox" || el.type === "radio") twin.checked = el.checked;
    else twin.value = el.value;
  }
}

function describeFocus(el) {
  return {
    id: el.id,
    form: el.form?.id || "",
    name: el.name || "",
    value: el.value,
    type: el.type,
    start: typeof el.selectionStart === "number" ? el.selectionStart : null,
    end: typeof el.selectionEnd === "number" ? el.selectionEnd : null,
  };
}

function restoreFocus(scope, seen) {
  let target = seen.id ? byId(scope, seen.id) : null;
  if (!target && seen.form && seen.name) {
    const form = byId(scope, seen.form);
    if (form) target = twinOf({ id: "", name: seen.name, value: seen.value, type: seen.type }, form);
  }
  if (!target) return;
  target.focus({ preventScroll: true });
  if (seen.start !== null && typeof target.setSelectionRange === "function") {
    try {
      target.setSelectionRange(seen.start, seen.end);
    } catch {
      // Some input types (date, radio) have no selection.
    }
  }
}

function keepDraft(form, panel) {
  const wrap = document.createElement("div");
  wrap.className = "app-stale-draft";
  wrap.dataset.staleDraft = "";
  const note = document.createElement("div");
  note.className = "govuk-warning-text";
  note.innerHTML =
    '<span class="govuk-warning-text__icon" aria-hidden="true">!</span>' +
    '<strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span> ' +
    "The meeting has moved on, so this form may no longer be accepted. Your text is kept here: copy what you need.</strong>";
  const discard = document.createElement("button");
  discard.type = "button";
  discard.className = "govuk-button govuk-button--secondary";
  discard.dataset.discardDraft = "";
  discard.textContent = "Discard this draft";
  wrap.append(note, form, discard);
  panel.append(wrap);
}

function errorSummary(items) {
  const box = document.createElement("div");
  box.className = "govuk-error-summary";
  box.tabIndex = -1;
  box.innerHTML =
    '<div role="alert"><h2 class="govuk-error-summary__title">There is a problem</h2>' +
    '<div class="govuk-error-summary__body"><ul class="govuk-list govuk-error-summary__list"></ul></div></div>';
  const list = box.querySelector("ul");
  for (const { message, target } of items) {
    const li = document.createElement("li");
    if (target) {
      const link = document.createElement("a");
      link.href = `#${target}`;
      link.dataset.focusTarget = target;
      link.textContent = message;
      li.append(link);
    } else {
      li.textContent = message;
    }
    list.append(li);
  }
  return box;
}

function markFieldErrors(form, errors) {
  for (const { field, message } of errors) {
    const group = field.closest(".govuk-form-group");
    if (!group || group.querySelector("[data-client-error]")) continue;
    group.classList.add("govuk-form-group--error");
    const p = document.createElement("p");
    p.className = "govuk-error-message";
    p.dataset.clientError = "";
    p.id = `${field.id || field.name}-client-error`;
    p.innerHTML = '<span class="govuk-visually-hidden">Error:</span> ';
    p.append(message);
    const anchor = group.querySelector("fieldset > legend, label, .govuk-hint");
    const hint = group.querySelector(".govuk-hint");
    (hint || anchor)?.after(p);
  }
}

function clearFieldErrors(form) {
  for (const p of form.querySelectorAll("[data-client-error]")) {
    p.closest(".govuk-form-group")?.classList.remove("govuk-form-group--error");
    p.remove();
  }
}

function since(iso) {
  const minutes = Math.floor((Date.now() - Date.parse(iso)) / 60_000);
  if (Number.isNaN(minutes)) return "";
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

// Page-wide pieces ---------------------------------------------------------------

// GOV.UK Frontend's components (conditional reveals, buttons) are started
// on new panels too. The page names the module's URL, which is hashed in
// production, on this script's tag.
const govukUrl = document.querySelector("script[data-govuk-frontend]")?.dataset.govukFrontend;
const govuk = govukUrl ? import(govukUrl).catch(() => null) : Promise.resolve(null);

const page = {
  toast: null,
  toastTimer: 0,
  announced: new Set(Array.from(document.querySelectorAll("[data-announce-key]"), (el) => el.dataset.announceKey)),

  notify(message, kind = "success") {
    if (!this.toast) {
      this.toast = document.createElement("div");
      this.toast.className = "app-toast";
      this.toast.setAttribute("role", "status");
      this.toast.setAttribute("aria-live", "polite");
      document.body.append(this.toast);
    }
    this.toast.textContent = message;
    this.toast.className = `app-toast app-toast--${kind} app-toast--visible`;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => this.toast.classList.remove("app-toast--visible"), 6000);
  },

  announce(scope) {
    const messages = [];
    for (const el of scope.querySelectorAll("[data-announce-key]")) {
      const key = el.dataset.announceKey;
      if (this.announced.has(key)) continue;
      this.announced.add(key);
      if (el.dataset.announce) messages.push(el.dataset.announce);
    }
    const region = document.querySelector("[data-announcer]");
    if (region && messages.length) region.textContent = messages.slice(-3).join(". ");
  },

  tick() {
    for (const el of document.querySelectorAll("[data-since]")) el.textContent = since(el.dataset.since);
  },
};

// One room ---------------------------------------------------------------------

class RoomConnection {
  constructor(root) {
    this.root = root;
    this.code = root.dataset.roomSocket;
    this.asRole = root.dataset.asRole || null;
    this.panelsUrl = root.dataset.panelsUrl || null;
    this.lastSeq = Number.parseInt(root.dataset.seq || "0", 10);
    this.htmlSeq = this.lastSeq;
    this.resyncing = false;
    this.ws = null;
    this.attempt = 0;
    this.stopped = false;
    this.lastHeard = Date.now();
    this.pending = new Map(); // command id -> {frame, formId, success, silent}
    this.formCommands = new Map(); // form id -> {key, id}: a retry reuses the id
    this.feedback = new Map(); // form id -> error summary to show again after swaps
    this.autoSubmitted = new Set();
    this.panelHtml = new Map();
    this.presence = null;
    this.fetchTimer = 0;
    this.status = root.querySelector("[data-connection-status]");

    root.addEventListener("submit", (event) => {
      const form = event.target.closest("form[data-command]");
      if (!form) return;
      event.preventDefault();
      this.submit(form, event.submitter);
    });
    root.addEventListener("click", (event) => {
      const discard = event.target.closest("[data-discard-draft]");
      if (discard) {
        discard.closest("[data-stale-draft]")?.remove();
        return;
      }
      const link = event.target.closest("a[data-focus-target]");
      if (link) {
        const target = document.getElementById(link.dataset.focusTarget);
        if (target) {
          event.preventDefault();
          target.scrollIntoView({ block: "center" });
          target.focus();
        }
      }
    });
    this.connect();
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/ws/rooms/${encodeURIComponent(this.code)}/?format=html`;
  }

  setStatus(state, text) {
    if (!this.status) return;
    this.status.dataset.state = state;
    const label = this.status.querySelector("[data-connection-text]") || this.status;
    if (label.textContent !== text) label.textContent = text;
  }

  connect() {
    if (this.stopped) return;
    this.setStatus(this.attempt ? "reconnecting" : "connecting", this.attempt ? "Reconnecting…" : "Connecting…");
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.attempt = 0;
      this.lastHeard = Date.now();
      this.setStatus("connected", "Connected");
      // The server sends a snapshot and fresh panels on every connect; resend
      // anything unanswered with its original id.
      for (const { frame } of this.pending.values()) this.send(frame);
      this.autoSubmit();
    });
    ws.addEventListener("message", (event) => {
      this.lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      this.receive(frame);
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (FINAL_CLOSE_CODES.has(event.code)) {
        this.stopped = true;
        this.setStatus("stopped", FINAL_CLOSE_CODES.get(event.code));
        return;
      }
      this.reconnectLater();
    });
  }

  reconnectLater() {
    if (this.stopped) return;
    this.setStatus("reconnecting", "Reconnecting…");
    const cap = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** this.attempt);
    this.attempt += 1;
    clearTimeout(this.retryTimer);
    const wait = Math.random() * cap;
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  reconnectNow() {
    if (this.stopped || (this.ws && this.ws.readyState <= WebSocket.OPEN)) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  send(frame) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  heartbeat() {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
      this.ws.close(); // dead without a close frame: reconnect
      return;
    }
    this.send({ type: "ping" });
  }

  receive(frame) {
    switch (frame.type) {
      case "snapshot":
        this.lastSeq = frame.seq;
        this.resyncing = false;
        break;
      case "event":
        if (frame.seq > this.lastSeq + 1) this.resync();
        else if (frame.seq > this.lastSeq) this.lastSeq = frame.seq;
        break;
      case "html":
        if (this.panelsUrl) this.fetchPanelsSoon();
        else this.applyPanels(frame.seq, frame.panels);
        break;
      case "ack":
        this.settle(frame.id, null);
        break;
      case "rejected":
        if (frame.code === "not_saved" && this.pending.has(frame.id)) {
          // Not stored (the server's database was busy): send it again shortly,
          // with the same id, as for a missing ack (docs/protocol.md).
          const { frame: command } = this.pending.get(frame.id);
          setTimeout(() => this.pending.has(frame.id) && this.send(command), 500 + Math.random() * 1000);
          break;
        }
        this.settle(frame.id, frame.message || "That was not accepted.");
        break;
      case "presence":
        this.presence = frame;
        this.applyPresence();
        break;
      case "error":
        page.notify(frame.message || "Something went wrong.", "error");
        break;
      default:
        break;
    }
  }

  resync() {
    if (this.resyncing) return;
    this.resyncing = true;
    this.send({ type: "resync", since: this.lastSeq });
  }

  // Commands -------------------------------------------------------------------

  submit(form, submitter) {
    this.clearFeedback(form);
    const { args, errors } = formArgs(form, submitter);
    if (errors.length) {
      markFieldErrors(form, errors);
      this.showFeedback(form, errors.map(({ field, message }) => ({ message, target: field.id })));
      return;
    }
    const name = form.dataset.command;
    const key = JSON.stringify([name, args, this.asRole]);
    const known = form.id ? this.formCommands.get(form.id) : null;
    const id = known && known.key === key ? known.id : newId();
    if (form.id) this.formCommands.set(form.id, { key, id });
    const frame = { type: "command", id, name, args };
    if (this.asRole) frame.as_role = this.asRole;
    this.pending.set(id, {
      frame,
      formId: form.id,
      success: form.dataset.success || "Done.",
      silent: "autoSubmit" in form.dataset,
    });
    if (this.ws?.readyState === WebSocket.OPEN) this.send(frame);
    else if (!("autoSubmit" in form.dataset)) page.notify("Saved on this device: it will be sent when you are connected again.", "info");
  }

  autoSubmit() {
    for (const form of this.root.querySelectorAll("form[data-auto-submit]")) {
      if (this.autoSubmitted.has(form.id)) continue;
      this.autoSubmitted.add(form.id);
      this.submit(form, null);
    }
  }

  settle(id, rejection) {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    if (entry.formId) this.formCommands.delete(entry.formId);
    if (entry.silent) return;
    const form = entry.formId ? document.getElementById(entry.formId) : null;
    if (rejection) {
      if (form) this.showFeedback(form, [{ message: rejection }]);
      else page.notify(rejection, "error");
      return;
    }
    if (form && !form.closest("[data-stale-draft]")) form.reset(); // back to what the server drew
    form?.closest("[data-stale-draft]")?.remove();
    page.notify(entry.success, "success");
  }

  showFeedback(form, items) {
    const slot = form.querySelector("[data-command-feedback]");
    const summary = errorSummary(items);
    if (slot) slot.replaceChildren(summary);
    else form.prepend(summary);
    if (form.id) this.feedback.set(form.id, items);
    summary.focus();
  }

  clearFeedback(form) {
    clearFieldErrors(form);
    form.querySelector("[data-command-feedback]")?.replaceChildren();
    if (form.id) this.feedback.delete(form.id);
  }

  // Panels ---------------------------------------------------------------------

  fetchPanelsSoon() {
    clearTimeout(this.fetchTimer);
    this.fetchTimer = setTimeout(async () => {
      try {
        const response = await fetch(this.panelsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const data = await response.json();
        this.applyPanels(data.seq, data.panels);
      } catch {
        // The next event tries again.
      }
    }, 120);
  }

  applyPanels(seq, panels) {
    if (seq < this.htmlSeq) return; // an older render overtaken by a newer one
    this.htmlSeq = seq;
    for (const [id, html] of Object.entries(panels)) {
      if (this.panelHtml.get(id) === html) continue;
      const old = document.getElementById(id);
      if (!old) continue;
      const template = document.createElement("template");
      template.innerHTML = html.trim();
      const fresh = template.content.firstElementChild;
      if (!fresh || fresh.id !== id) continue;
      this.panelHtml.set(id, html);
      this.swap(old, fresh);
      page.announce(fresh);
    }
    for (const [formId, items] of this.feedback) {
      const form = document.getElementById(formId);
      if (form && !form.querySelector(".govuk-error-summary")) {
        form.querySelector("[data-command-feedback]")?.replaceChildren(errorSummary(items));
      }
    }
    this.applyPresence();
    this.autoSubmit();
    page.tick();
  }

  swap(old, fresh) {
    const active = document.activeElement;
    const focus = active && old.contains(active) && active !== old ? describeFocus(active) : null;
    for (const form of old.querySelectorAll("form[id]")) {
      const inFlight = this.formCommands.has(form.id);
      const dirty = isDirty(form);
      if (!inFlight && !dirty && !form.contains(active)) continue;
      const twin = byId(fresh, form.id);
      const draft = form.closest("[data-stale-draft]");
      if (twin) carryValues(form, twin); // the form is back: its draft goes with the old panel
      else if (draft) fresh.append(draft);
      else if (dirty && !inFlight && form.dataset.command) keepDraft(form, fresh);
    }
    for (const details of old.querySelectorAll("details[id]")) {
      const twin = byId(fresh, details.id);
      if (twin) twin.open = details.open;
    }
    old.replaceWith(fresh);
    if (focus) restoreFocus(fresh, focus);
    govuk.then((module) => module?.initAll({ scope: fresh }));
  }

  applyPresence() {
    if (!this.presence) return;
    const online = new Set(this.presence.online);
    for (const item of this.root.querySelectorAll("[data-presence-role]")) {
      const on = online.has(item.dataset.presenceRole);
      item.classList.toggle("app-presence__item--online", on);
      const state = item.querySelector("[data-presence-state]");
      if (state) state.textContent = on ? "Connected" : "Not connected";
    }
  }
}

// Boot ---------------------------------------------------------------------------

const connections = Array.from(document.querySelectorAll("[data-room-socket]"), (root) => new RoomConnection(root));
globalThis.thresholdRooms = connections; // for debugging in the console, and browser tests

setInterval(() => connections.forEach((c) => c.heartbeat()), HEARTBEAT_MS);
setInterval(() => page.tick(), 15_000);
page.tick();
window.addEventListener("online", () => connections.forEach((c) => c.reconnectNow()));
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") connections.forEach((c) => c.reconnectNow());
});
