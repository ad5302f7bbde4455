// The session code a listener page was opened with: /listen/<code>, or ?code=<code>.

/** The code in the page's address, or "". */
export function initialCode() {
  const match = location.pathname.match(/^\/listen\/(.+)$/);
  if (match) {
    try {
      return decodeURIComponent(match[1]);
    } catch (e) {
      return match[1];
    }
  }
  return new URLSearchParams(location.search).get("code") || "";
}
