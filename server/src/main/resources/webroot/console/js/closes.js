// What each WebSocket close code (CloseCode.java, docs/protocol.md) means for a person, and
// whether reconnecting can help. Part of protocol.js (which re-exports closeInfo); like it, an ES
// module for browsers and Node alike.

/** What a close code means for a person, and whether reconnecting can help (CloseCode.java). */
const CLOSES = {
  1000: ["The connection was closed.", false],
  1001: ["The server is restarting; reconnecting…", true],
  1006: ["The connection was lost; reconnecting…", true],
  1009: ["A message was too large for the server.", false],
  1011: ["The server had a problem; reconnecting…", true],
  4000: ["The connection was idle for too long; reconnecting…", true],
  4001: ["The connection reached its maximum age; reconnecting…", true],
  4002: ["This connection was replaced by a newer one (another tab or device?).", false],
  4003: ["The connection could not keep up with live audio; reconnecting…", true],
  4004: ["The connection was closed by the service.", false],
  4400: ["The request was not valid.", false],
  4401: ["Your token is missing, invalid or expired: sign in again.", false],
  4403: ["Not allowed: this is not your session.", false],
  4404: ["No live session has this code. Check the code and try again.", false],
  4410: ["The session has ended.", false],
  4429: ["Too many attempts from this network; retrying shortly…", true],
  4430: ["The session is full; retrying shortly…", true],
  4503: ["The server is temporarily unavailable; retrying shortly…", true],
};

export function closeInfo(code) {
  const known = CLOSES[code];
  if (known) {
    return { text: known[0], reconnect: known[1] };
  }
  // Unknown codes: 1xxx transport trouble is worth a retry, application codes are not.
  return code < 4000
    ? { text: `The connection closed (${code}); reconnecting…`, reconnect: true }
    : { text: `The server closed the connection (${code}).`, reconnect: false };
}
