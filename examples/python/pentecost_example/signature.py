"""Verifying X-Pentecost-Signature, the header on every request Pentecost makes to a backend:

    X-Pentecost-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

Verify the raw body bytes (before any JSON parsing), compare in constant time, and refuse a time
stamp too far from now (a replay).
"""

import hashlib
import hmac
import time

HEADER = "X-Pentecost-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, t: int) -> str:
    """The header value Pentecost sends for ``body`` at unix time ``t`` (for tests)."""
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, header: str | None, body: bytes, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds of now."""
    if not header:
        return False
    t, given = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            t = int(value)
        elif key == "v1":
            given.append(value)  # several v1 while a secret is being rotated
    if t is None or not given:
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, v) for v in given)
