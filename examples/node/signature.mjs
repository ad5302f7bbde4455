// Verifying X-Pentecost-Signature, the header on every request Pentecost makes to a backend:
//   X-Pentecost-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// Node's standard library only. Verify the raw body bytes (before JSON parsing), compare in
// constant time, and refuse a time stamp too far from now (a replay).
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-pentecost-signature"; // as Node's http lower-cases it

export function verifySignature(secret, header, rawBody, { toleranceSeconds = 300, now = Date.now() / 1000 } = {}) {
  if (!header) return false;
  let t = null;
  const given = [];
  for (const part of header.split(",")) {
    const i = part.indexOf("=");
    const key = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    if (key === "t" && /^\d+$/.test(value)) t = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) given.push(Buffer.from(value, "hex"));
  }
  if (t === null || given.length === 0 || Math.abs(now - t) > toleranceSeconds) return false;
  const expected = createHmac("sha256", secret).update(`${t}.`).update(rawBody).digest();
  return given.some((v) => timingSafeEqual(v, expected));
}
