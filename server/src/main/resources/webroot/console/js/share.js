// The speaker's join link: the address listeners open, shown as text and as a QR code, and the
// button that copies it.
import qrcode from "../vendor/qrcode.js";

const $ = (id) => document.getElementById(id);

/** A loopback host: an address no phone can reach. */
export function isLoopback(hostname) {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\./.test(h);
}

/**
 * The base address listeners open: the server's configured public URL, else this page's own
 * address unless it is a loopback one, else the server's LAN address; null when none will do.
 */
export async function joinBase() {
  let share = { publicUrl: null, lanUrl: null };
  try {
    const r = await fetch("/share", { cache: "no-store" });
    if (r.ok) share = await r.json();
  } catch (e) {
    // the server is unreachable: this page's own address is all there is
  }
  if (share.publicUrl) return share.publicUrl;
  if (!isLoopback(location.hostname)) return location.origin;
  return share.lanUrl || null;
}

/** Shows the link that joins this session, and its QR code; says so when phones cannot reach it. */
export async function showJoinLink(sessionId) {
  const base = await joinBase();
  const note = $("share-note");
  const link = `${base || location.origin}/listen/${encodeURIComponent(sessionId)}`;
  $("join-link").href = link;
  $("join-link").textContent = link;
  note.hidden = base !== null;
  note.textContent = base
    ? ""
    : "Phones cannot reach this address: this page was opened as localhost and the server knows " +
      "no network address of its own. Set server.publicUrl, or open this page at the computer's " +
      "network address.";
  drawQr(link);
}

function drawQr(text) {
  const qr = qrcode(0, "M");
  qr.addData(text);
  qr.make();
  const modules = qr.getModuleCount();
  const quiet = 4;
  const canvas = $("qr");
  const scale = Math.max(2, Math.floor(264 / (modules + quiet * 2)));
  const size = (modules + quiet * 2) * scale;
  canvas.width = size;
  canvas.height = size;
  canvas.setAttribute("aria-label", `QR code of the join link ${text}`);
  const g = canvas.getContext("2d");
  g.fillStyle = "#ffffff";
  g.fillRect(0, 0, size, size);
  g.fillStyle = "#000000";
  for (let r = 0; r < modules; r++) {
    for (let c = 0; c < modules; c++) {
      if (qr.isDark(r, c)) g.fillRect((c + quiet) * scale, (r + quiet) * scale, scale, scale);
    }
  }
}

/** The Copy link button: the link to the clipboard, and a word on how it went. */
export async function copyJoinLink() {
  const link = $("join-link").href;
  try {
    await navigator.clipboard.writeText(link);
    $("copy").textContent = "Copied ✓";
  } catch (e) {
    $("copy").textContent = "Select the link to copy it";
  }
  setTimeout(() => {
    $("copy").textContent = "Copy link";
  }, 2500);
}
