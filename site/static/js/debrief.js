// The debrief's replay: a scrubber over the server-rendered timeline.
//
// The page lists every event and the record at the end, so it works without
// JavaScript. This script shows the controls (hidden until then), and moving
// the range to step N hides the events after N, marks event N, and fills the
// record panel with the record as it stood after it (the server renders one
// summary per step into the JSON script #replay-states). Play steps forward
// once every PLAY_MS until the end or until paused.

const PLAY_MS = 900;

function text(element) {
  return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
}

function setUpReplay(root) {
  const source = document.getElementById("replay-states");
  if (!source) return;
  const states = JSON.parse(source.textContent);
  const total = Number(root.dataset.total || 0);
  const controls = root.querySelector("[data-replay-controls]");
  const range = root.querySelector("[data-replay-range]");
  const now = root.querySelector("[data-replay-now]");
  const title = root.querySelector("[data-replay-title]");
  const playButton = root.querySelector("[data-replay-play]");
  const panel = root.querySelector(".app-replay__panel");
  const events = Array.from(root.querySelectorAll(".app-timeline__event[data-step]"));
  const cells = new Map(
    Array.from(root.querySelectorAll("[data-record]")).map((cell) => [cell.dataset.record, cell]),
  );
  if (!controls || !range || !states.length) return;
  let timer = null;

  function show(step, { announce = true, scroll = true } = {}) {
    const target = Math.max(0, Math.min(total, step));
    range.value = String(target);
    for (const event of events) {
      const number = Number(event.dataset.step);
      event.hidden = number > target;
      event.classList.toggle("app-timeline__event--current", number === target);
    }
    const state = states[target] || states[states.length - 1];
    for (const [key, , value] of state.rows) {
      const cell = cells.get(key);
      if (cell) cell.textContent = value;
    }
    if (title) {
      title.textContent =
        target === total
          ? "The record at the end"
          : target === 0
            ? "The record before anything happened"
            : `The record after event ${target}`;
    }
    const current = events[target - 1];
    let words = `Before the first event (0 of ${total})`;
    if (current) {
      const part = (selector) => text(current.querySelector(selector));
      words =
        `Event ${target} of ${total}, ${part(".app-timeline__time")}. ` +
        `${part(".app-timeline__who")}: ${part(".app-timeline__what")}`;
    }
    now.setAttribute("aria-live", announce ? "polite" : "off");
    now.textContent = words;
    range.setAttribute("aria-valuetext", words);
    // Beside a sticky panel (wide screens) bring the event into view; on a
    // phone the panel scrolls with the page, so leave the page where it is.
    if (current && scroll && panel && getComputedStyle(panel).position === "sticky") {
      current.scrollIntoView({ block: "nearest" });
    }
  }

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
    if (playButton) {
      playButton.textContent = "Play";
      playButton.setAttribute("aria-pressed", "false");
    }
  }

  function play() {
    if (Number(range.value) >= total) show(0, { announce: false });
    playButton.textContent = "Pause";
    playButton.setAttribute("aria-pressed", "true");
    timer = window.setInterval(() => {
      const next = Number(range.value) + 1;
      show(next, { announce: false });
      if (next >= total) stop();
    }, PLAY_MS);
  }

  range.addEventListener("input", () => {
    stop();
    show(Number(range.value), { announce: false });
  });
  range.addEventListener("change", () => show(Number(range.value)));
  root.querySelectorAll("[data-replay-go]").forEach((button) => {
    button.addEventListener("click", () => {
      stop();
      const step = Number(range.value);
      const go = button.dataset.replayGo;
      show(go === "start" ? 0 : go === "end" ? total : go === "back" ? step - 1 : step + 1);
    });
  });
  if (playButton) {
    playButton.addEventListener("click", () => (timer === null ? play() : stop()));
  }
  controls.hidden = false;
  root.classList.add("app-replay--enhanced");
  const linked = /^#event-(\d+)$/.exec(window.location.hash);
  show(linked ? Number(linked[1]) : total, { announce: false, scroll: Boolean(linked) });
}

document.querySelectorAll("[data-replay]").forEach(setUpReplay);
