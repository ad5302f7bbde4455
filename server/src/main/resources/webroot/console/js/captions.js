// The listener's captions: final lines kept (the last 50), the partial line being spoken below
// them, the box scrolled to the newest.

/** Shows a caption message ({text, final}) in the box. */
export function showCaption(box, msg) {
  const hint = box.querySelector(".muted");
  if (hint) hint.remove();
  let partial = box.querySelector(".partial");
  if (msg.final) {
    if (partial) partial.remove();
    const p = document.createElement("p");
    p.textContent = msg.text;
    box.append(p);
    while (box.children.length > 50) box.firstElementChild.remove();
  } else {
    if (!partial) {
      partial = document.createElement("p");
      partial.className = "partial";
      box.append(partial);
    }
    partial.textContent = msg.text;
  }
  box.scrollTop = box.scrollHeight;
}
