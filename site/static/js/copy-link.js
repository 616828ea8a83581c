// Guidance pages: "Copy link" buttons for numbered paragraphs, and the print
// button on the print view. Without JavaScript the buttons stay hidden and the
// paragraph number itself is the link to copy.
const status = document.querySelector("[data-copy-status]");

function announce(message) {
  if (status) {
    status.textContent = "";
    window.setTimeout(() => { status.textContent = message; }, 50);
  }
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const field = document.createElement("textarea");
  field.value = text;
  field.setAttribute("readonly", "");
  field.className = "govuk-visually-hidden";
  document.body.append(field);
  field.select();
  const copied = document.execCommand("copy");
  field.remove();
  if (!copied) throw new Error("copy refused");
}

for (const button of document.querySelectorAll("[data-copy-link]")) {
  const label = button.innerHTML;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const url = new URL(button.dataset.copyLink, window.location.href).href;
    try {
      await copyText(url);
      button.dataset.copied = "";
      button.textContent = "Link copied";
      announce(`Link copied: ${url}`);
    } catch {
      announce(`Copy this link: ${url}`);
      window.prompt("Copy this link", url);
    }
    window.setTimeout(() => {
      delete button.dataset.copied;
      button.innerHTML = label;
    }, 3000);
  });
}

for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
