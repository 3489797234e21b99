import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { Archive, ArchivePeriod, ArchiveReport } from "./archive.js";

/**
 * The archive page and the action result page: plain HTML (hono/html escapes every value it
 * interpolates), one stylesheet, no script. Landmarks (header, main, footer), one h1 and h2s per
 * part, tables with header cells and captions, statuses in words (not only in colour), large
 * touch targets, one column on a phone.
 */

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export function archivePage(archive: Archive, actions: { enabled: boolean; reason: string }): Html {
  const { health } = archive;
  return layout(
    "Shop reports",
    html`<header class="top">
        <h1>Shop reports</h1>
        <p class="health ${health.ok ? "ok" : "bad"}">
          ${health.ok ? "Healthy: every report ran on time and its last run succeeded." : `Needs attention: ${health.problems.length} ${health.problems.length === 1 ? "problem" : "problems"}.`}
        </p>
        ${
          health.ok
            ? ""
            : html`<ul class="problems">
                ${health.problems.map((p) => html`<li><strong>${p.report ?? "daemon"}</strong>: ${p.detail}</li>`)}
              </ul>`
        }
      </header>
      <main>
        <section aria-labelledby="reports-title">
          <h2 id="reports-title">Reports</h2>
          ${actions.enabled ? "" : html`<p class="note">${actions.reason}</p>`}
          <ul class="cards">
            ${archive.reports.map((r) => reportCard(r, actions.enabled))}
          </ul>
        </section>
        <section aria-labelledby="periods-title">
          <h2 id="periods-title">Periods</h2>
          ${archive.periods.length === 0 ? html`<p>No report has been written yet.</p>` : ""}
          ${archive.periods.map((p) => periodSection(p, actions.enabled))}
        </section>
      </main>`,
  );
}

function reportCard(r: ArchiveReport, actions: boolean): Html {
  return html`<li class="card">
    <h3>${r.name}${r.audience === r.name ? "" : html` <span class="muted">(${r.audience} report)</span>`}</h3>
    <p>${r.enabled ? html`${r.scheduleWords} <span class="muted">(${r.schedule}, ${r.timezone})</span>` : "Disabled"}</p>
    <dl>
      <dt>Next run</dt>
      <dd>${r.next === null ? "none" : when(r.next, r.timezone)}</dd>
      <dt>Last run</dt>
      <dd>${r.last === null ? "none yet" : html`<span class="status ${r.last.status}">${r.last.status}</span> ${r.last.period}, ${when(r.last.finished, r.timezone)}`}</dd>
    </dl>
    ${
      actions
        ? html`<details><summary>Run now…</summary><form method="post" action="/reports/${encodeURIComponent(r.name)}/run" class="action">
            <label for="period-${r.name}">Period (empty: the report's own)</label>
            <input id="period-${r.name}" name="period" type="text" inputmode="text" placeholder="2026-W46" autocomplete="off" />
            ${tokenField(`run-${r.name}`)}
            <button type="submit">Run ${r.name} now</button>
          </form></details>`
        : ""
    }
  </li>`;
}

function periodSection(p: ArchivePeriod, allowActions: boolean): Html {
  // The resend column only where a delivery failed.
  const actions = allowActions && p.runs.some((r) => r.failed > 0);
  const title = `period-${p.id}`;
  return html`<section class="period" aria-labelledby="${title}">
    <h3 id="${title}">${p.id} <span class="muted">${span(p.from, p.to)}</span></h3>
    ${
      p.pdfs.length === 0
        ? html`<p>No PDF.</p>`
        : html`<ul class="pdfs">
            ${p.pdfs.map((f) => html`<li><a href="${f.href}" download>${f.name}</a> <span class="muted">PDF, ${f.kb} KB</span></li>`)}
          </ul>`
    }
    ${
      p.findings.length === 0
        ? ""
        : html`<h4>Top findings</h4>
          <ul class="findings">
            ${p.findings.map((f) => html`<li><span class="severity ${f.severity}">${f.severity}</span> ${f.text}</li>`)}
          </ul>
          ${p.findingsTotal > p.findings.length ? html`<p class="muted">${p.findingsTotal - p.findings.length} more in the PDFs.</p>` : ""}`
    }
    ${
      p.runs.length === 0
        ? ""
        : html`<table>
            <caption>Runs and deliveries</caption>
            <thead><tr><th scope="col">Report</th><th scope="col">Status</th><th scope="col">Sent</th><th scope="col">Failed</th>${actions ? html`<th scope="col">Action</th>` : ""}</tr></thead>
            <tbody>
              ${p.runs.map(
                (r) => html`<tr>
                  <th scope="row">${r.report}</th>
                  <td><span class="status ${r.status}">${r.status}</span></td>
                  <td>${r.sent}</td>
                  <td>${r.failed}</td>
                  ${
                    actions
                      ? html`<td>${
                          r.failed > 0
                            ? html`<form method="post" action="/runs/${encodeURIComponent(r.run_id)}/resend" class="action inline">
                                ${tokenField(`resend-${r.run_id}`)}
                                <button type="submit">Resend</button>
                              </form>`
                            : ""
                        }</td>`
                      : ""
                  }
                </tr>`,
              )}
            </tbody>
          </table>`
    }
  </section>`;
}

/** `Mon 30 Nov, 08:00` in the report's zone, with the instant in `datetime`. */
function when(iso: string, timeZone: string): Html {
  const t = Date.parse(iso);
  const text = new Intl.DateTimeFormat("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
  }).format(t);
  return html`<time datetime="${new Date(t).toISOString()}">${text}</time>`;
}

/** A period's days: its first and its last (the end is exclusive), `9 Nov – 15 Nov 2026`. */
function span(from: string, to: string): string {
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  // The boundaries carry their offset: their own wall-clock dates are the local ones.
  const first = from.slice(0, 10);
  const last = day(Date.parse(`${to.slice(0, 10)}T00:00:00Z`) - 1);
  return first === last ? first : `${first} to ${last}`;
}

function tokenField(id: string): Html {
  return html`<label for="token-${id}">Admin token</label>
    <input id="token-${id}" name="token" type="password" required autocomplete="off" />`;
}

/** The page an action's form lands on: what happened, in words, and the way back. */
export function resultPage(title: string, lines: string[], ok: boolean): Html {
  return layout(
    title,
    html`<header class="top"><h1>${title}</h1></header>
      <main>
        <p class="health ${ok ? "ok" : "bad"}">${ok ? "Done." : "Not done."}</p>
        <ul>${lines.map((line) => html`<li>${line}</li>`)}</ul>
        <p><a href="/">Back to the reports</a></p>
      </main>`,
  );
}

function layout(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <link rel="stylesheet" href="/style.css" />
  </head>
  <body>
    ${body}
    <footer><p class="muted">shop-reports · <a href="/healthz">health</a> · <a href="/metrics">metrics</a></p></footer>
  </body>
</html>`;
}

/** The one stylesheet (served as /style.css: the CSP allows no inline style). */
export const STYLE = raw(`
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --line: #d0d0d0; --ok: #0b6b2b; --bad: #a4141a; --warn: #7a4d00; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
header.top, main, footer { max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 1rem 0 0.5rem; }
h2 { font-size: 1.3rem; margin: 1.5rem 0 0.5rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.1rem; margin: 0 0 0.25rem; }
h4 { font-size: 1rem; margin: 0.75rem 0 0.25rem; }
.muted { color: var(--muted); font-weight: normal; }
.health { padding: 0.5rem 0.75rem; border-left: 6px solid; font-weight: 600; }
.health.ok { border-color: var(--ok); background: #eaf5ee; }
.health.bad { border-color: var(--bad); background: #fbeaea; }
.note { background: #f4f4f4; padding: 0.5rem 0.75rem; }
ul.cards { list-style: none; padding: 0; display: grid; gap: 0.75rem; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); }
.card, .period { border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem; }
.period { margin: 0 0 0.75rem; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 0 0.75rem; margin: 0.5rem 0; }
dt { color: var(--muted); } dd { margin: 0; }
.status, .severity { font-weight: 600; }
.status.ok { color: var(--ok); }
.status.failed, .status.delivery-failed, .status.interrupted, .status.compromised, .severity.critical { color: var(--bad); }
.severity.warning { color: var(--warn); }
a { color: #0645ad; } a:focus, button:focus, input:focus { outline: 3px solid #ffbf47; outline-offset: 1px; }
ul.pdfs li, ul.findings li { margin: 0.35rem 0; }
ul.pdfs a { display: inline-block; padding: 0.35rem 0; min-height: 44px; line-height: 44px; }
table { border-collapse: collapse; width: 100%; margin-top: 0.5rem; }
caption { text-align: left; font-weight: 600; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
details summary { cursor: pointer; min-height: 44px; line-height: 44px; color: #1d4f91; font-weight: 600; }
form.action { display: grid; gap: 0.35rem; margin-top: 0.5rem; }
form.action.inline { margin: 0; }
input { font: inherit; padding: 0.4rem; border: 1px solid #767676; border-radius: 4px; min-height: 44px; width: 100%; }
button { font: inherit; min-height: 44px; padding: 0.4rem 0.9rem; border: 0; border-radius: 4px; background: #1d4f91; color: #fff; cursor: pointer; }
footer { margin: 2rem auto 1rem; }
@media (max-width: 40rem) { th, td { padding: 0.35rem 0.25rem; } h1 { font-size: 1.35rem; } }
`);
