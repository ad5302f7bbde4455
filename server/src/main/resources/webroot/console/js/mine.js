// The speaker's list of their sessions: code, language, status, audience, when; Open for a live
// one, Summary for an ended one.

const $ = (id) => document.getElementById(id);

/** Shows `list`; `open(session)` opens one, `languageName(code)` names a language. */
export function renderMine(list, { open, languageName }) {
  const ul = $("mine");
  ul.replaceChildren();
  $("mine-empty").hidden = list.length > 0;
  for (const s of list) {
    const li = document.createElement("li");
    const info = document.createElement("div");
    const id = document.createElement("span");
    id.className = "sid";
    id.textContent = s.sessionId;
    const meta = document.createElement("small");
    const created = new Date(s.createdAt).toLocaleString([], { dateStyle: "short", timeStyle: "short" });
    meta.textContent = `${languageName(s.sourceLanguage)} · ${s.status} · ${s.listenerCount} listening · ${created}`;
    info.append(id, meta);
    li.append(info);
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = s.status === "ended" ? "Summary" : "Open";
    button.setAttribute("aria-label", `${button.textContent} ${s.sessionId}`);
    button.addEventListener("click", () => open(s));
    li.append(button);
    ul.append(li);
  }
}
