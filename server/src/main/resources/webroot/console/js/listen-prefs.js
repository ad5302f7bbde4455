// Where the listener page starts (the code in its address), and what it remembers: the session that was playing (sessionStorage, so that a
// reload mid-stream plays again, and a new tab does not), and the captions-only choice
// (localStorage). Storage may be refused (private modes): then nothing is remembered.

const PLAYING_KEY = "pentecost.playing";
const CAPTIONS_ONLY_KEY = "pentecost.captionsOnly";

function get(storage, key) {
  try {
    return storage.getItem(key);
  } catch (e) {
    return null;
  }
}

function set(storage, key, value) {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, value);
  } catch (e) {
    // not remembered
  }
}

/** The code of the session this tab was playing before a reload, or null. */
export function wasPlaying() {
  return get(sessionStorage, PLAYING_KEY);
}

export function rememberPlaying(code) {
  set(sessionStorage, PLAYING_KEY, code);
}

export function forgetPlaying() {
  set(sessionStorage, PLAYING_KEY, null);
}

export function captionsOnlyChosen() {
  return get(localStorage, CAPTIONS_ONLY_KEY) === "1";
}

export function chooseCaptionsOnly(on) {
  set(localStorage, CAPTIONS_ONLY_KEY, on ? "1" : "0");
}

/** The session code in the page's address (/listen/<code> or ?code=), or "". */
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
