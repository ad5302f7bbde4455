// The speaker's audience table: how many listen in all, and in each language, most first.

const $ = (id) => document.getElementById(id);

/** Shows the counts; languageName(code) gives the name to show beside a language's code. */
export function showAudience(total, byLanguage, languageName) {
  $("total").textContent = String(total || 0);
  const body = $("by-language");
  body.replaceChildren();
  const entries = Object.entries(byLanguage || {}).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 2;
    td.className = "muted";
    td.textContent = "Nobody yet.";
    tr.append(td);
    body.append(tr);
    return;
  }
  for (const [code, n] of entries) {
    const tr = document.createElement("tr");
    const name = document.createElement("td");
    name.textContent = `${languageName(code)} (${code})`;
    const count = document.createElement("td");
    count.textContent = String(n);
    tr.append(name, count);
    body.append(tr);
  }
}
