// Workbook answers: never let an older answer's reply undo a newer one.
//
// A block's answer form posts on typing (after a pause) and on change, and
// the reply may replace the whole block. When two saves of one block are in
// flight (a blur's change and the next field's typing), the reply to the
// older one can arrive last and would put back its error messages and its
// "Last saved" status over the newer, saved answer. Every reply carries the
// answer's revision; a reply older than what the page already shows is
// dropped.

function revisionIn(html) {
  const match = /name="revision" value="(\d+)"/.exec(html);
  return match ? Number(match[1]) : null;
}

document.body.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.closest) return;
  const block = target.closest(".app-wb-block") || target.querySelector?.(".app-wb-block");
  const current = block?.querySelector('input[name="revision"]');
  if (!current) return;
  const incoming = revisionIn(event.detail.serverResponse || "");
  if (incoming !== null && incoming < Number(current.value)) {
    event.detail.shouldSwap = false;
  }
});
