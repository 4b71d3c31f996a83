// Progressive enhancement only: every page works without this file.
import { initAll } from "/static/vendor/govuk/govuk-frontend.min.js";

initAll();

// After htmx swaps new content in, initialise GOV.UK components inside it and move
// focus to an error summary if the fragment has one (as a full page load would).
document.body.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail && event.detail.elt;
  if (!target) return;
  initAll({ scope: target });
  const summary = target.querySelector(".govuk-error-summary");
  if (summary) summary.focus();
});

// A rate-limited form (429) comes back as the same page with what was typed and a message:
// show it like any other validation error instead of htmx's default of ignoring 4xx replies.
document.body.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 429) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
