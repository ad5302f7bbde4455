"""One logical connection to Pentecost's /ws, made of successive WebSockets (docs/protocol.md,
"What a client must do"):

1. connect, wait for ``sessionJoined``, keep its ``connectionId``;
2. send ``{"action":"heartbeat"}`` every ``heartbeatIntervalMs``;
3. on ``connectionRefreshRequired``: open a new socket with the same query plus ``refreshQuery``;
   when it has joined, it becomes current and the old one is closed (1000);
4. on a close whose code says so (1001, 1006, 1011, 4000, 4001, 4003, 4429, 4430, 4503):
   reconnect with ``previousConnectionId`` after ``retryAfterMs`` or an exponential backoff;
5. on ``sessionEnded`` / 4410, or a close that reconnecting cannot help: stop.

Uses ``websockets`` (10.4 or newer, Debian's ``python3-websockets``).
"""

import asyncio
import json
import logging
import random
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import websockets

LOG = logging.getLogger("pentecost.live")

# Close codes after which reconnecting can help (protocol CloseCode.reconnect()); 1006 is an
# abnormal end seen by the client (a dropped TCP connection).
RECONNECT = {1001, 1006, 1011, 4000, 4001, 4003, 4429, 4430, 4503}
MAX_MESSAGE_BYTES = 1 << 20


def ws_url(base: str, query: dict) -> str:
    """``http(s)://host:port`` or ``ws(s)://host:port`` and a query -> the /ws URL."""
    parts = urlsplit(base)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    params = {k: str(v) for k, v in query.items() if v is not None and v != ""}
    return f"{scheme}://{parts.netloc}/ws?{urlencode(params)}"


@dataclass
class Closed:
    """How the logical connection ended: the last close code and the last ``error`` message."""

    code: int
    error: dict | None = None

    @property
    def ended(self) -> bool:
        return self.code == 4410 or bool(self.error and self.error.get("code") == "SESSION_ENDED")


@dataclass(eq=False)
class _Socket:
    why: str
    ws: object = None
    id: str | None = None
    joined: bool = False
    retired: bool = False
    error: dict | None = None
    task: asyncio.Task | None = field(default=None, repr=False)


class LiveConnection:
    """``on_message(msg)`` gets every JSON message of the current socket (and every ``error``),
    ``on_audio(bytes)`` every binary frame, ``on_joined(msg, why)`` each ``sessionJoined``
    (``why``: ``start``, ``refresh`` or ``reconnect``). ``await run()`` returns a ``Closed``."""

    def __init__(self, base_url, query, on_message=None, on_audio=None, on_joined=None,
                 resume_query=lambda: {}):
        self.base_url = base_url
        self.query = dict(query)
        self.on_message = on_message or (lambda msg: None)
        self.on_audio = on_audio or (lambda data: None)
        self.on_joined = on_joined or (lambda msg, why: None)
        self.resume_query = resume_query
        self.current: _Socket | None = None
        self.pending: _Socket | None = None
        self.last_id: str | None = None
        self.attempts = 0
        self.heartbeat_ms = 30000
        self._heartbeat: asyncio.Task | None = None
        self._done: asyncio.Future | None = None
        self._request_id = 0

    @property
    def connection_id(self):
        return self.current.id if self.current else None

    @property
    def open(self) -> bool:
        c = self.current
        return bool(c and c.joined and c.ws is not None and c.ws.open)

    async def run(self) -> Closed:
        self._done = asyncio.get_running_loop().create_future()
        self.current = self._start({}, "start")
        try:
            return await self._done
        finally:
            self._cancel_heartbeat()
            for c in (self.pending, self.current):
                if c and c.task:
                    c.retired = True
                    c.task.cancel()

    def stop(self, code: int = 1000):
        """Ends the logical connection (closes its sockets); ``run()`` returns."""
        if self._done and not self._done.done():
            self._done.set_result(Closed(code))

    async def send(self, message: dict) -> bool:
        if not self.open:
            return False
        self._request_id += 1
        try:
            await self.current.ws.send(json.dumps({**message, "requestId": self._request_id}))
            return True
        except websockets.ConnectionClosed:
            return False

    async def send_audio(self, payload: bytes) -> bool:
        if not self.open:
            return False
        try:
            await self.current.ws.send(payload)
            return True
        except websockets.ConnectionClosed:
            return False

    def refresh(self) -> bool:
        """The refresh flow: a new socket naming the current one; it takes over once joined."""
        if self.pending or not self.current or not self.current.id:
            return False
        extra = {"action": "refreshConnection", "previousConnectionId": self.current.id,
                 **self.resume_query()}
        self.pending = self._start(extra, "refresh")
        return True

    # -- sockets --------------------------------------------------------------------------

    def _start(self, extra: dict, why: str) -> _Socket:
        conn = _Socket(why)
        conn.task = asyncio.create_task(self._serve(conn, {**self.query, **extra}))
        return conn

    async def _serve(self, conn: _Socket, query: dict):
        code = 1006
        try:
            async with websockets.connect(ws_url(self.base_url, query), max_size=MAX_MESSAGE_BYTES,
                                          open_timeout=10, close_timeout=2) as ws:
                conn.ws = ws
                async for data in ws:
                    if conn.retired:
                        break
                    await self._message(conn, data)
            code = ws.close_code or 1006
        except websockets.ConnectionClosed as e:
            code = e.rcvd.code if e.rcvd else 1006
        except asyncio.CancelledError:
            raise
        except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as e:
            LOG.warning("cannot connect (%s): %s", conn.why, e)
        self._closed(conn, code)

    async def _message(self, conn: _Socket, data):
        if isinstance(data, bytes):
            if conn is self.current and conn.joined:
                await _maybe_await(self.on_audio(data))
            return
        try:
            msg = json.loads(data)
        except ValueError:
            return
        kind = msg.get("type")
        if kind == "sessionJoined":
            await self._joined(conn, msg)
            return
        if kind == "error":
            conn.error = msg
        if kind == "connectionRefreshRequired" and conn is self.current:
            LOG.info("refresh required (closes in %s ms): refreshing", msg.get("closesInMs"))
            self.refresh()
        if conn is self.current or kind == "error":
            await _maybe_await(self.on_message(msg))

    async def _joined(self, conn: _Socket, msg: dict):
        conn.id = msg["connectionId"]
        conn.joined = True
        self.last_id = conn.id
        self.attempts = 0
        if conn is self.pending:
            old, self.current, self.pending = self.current, conn, None
            if old:
                old.retired = True
                if old.ws is not None:
                    asyncio.create_task(old.ws.close(1000, "refreshed"))
        self.heartbeat_ms = msg.get("heartbeatIntervalMs") or self.heartbeat_ms
        self._cancel_heartbeat()
        self._heartbeat = asyncio.create_task(self._beat())
        await _maybe_await(self.on_joined(msg, conn.why))

    async def _beat(self):
        while True:
            await asyncio.sleep(self.heartbeat_ms / 1000)
            await self.send({"action": "heartbeat"})

    def _cancel_heartbeat(self):
        if self._heartbeat:
            self._heartbeat.cancel()
            self._heartbeat = None

    def _closed(self, conn: _Socket, code: int):
        if conn.retired or not self._done or self._done.done():
            return
        if conn is self.pending:
            self.pending = None  # the refresh failed; the current socket carries on
            return
        if conn is not self.current:
            return
        self._cancel_heartbeat()
        closed = Closed(code, conn.error)
        if code not in RECONNECT or closed.ended:
            LOG.info("closed %s%s: not reconnecting", code,
                     f" ({conn.error.get('code')})" if conn.error else "")
            self._done.set_result(closed)
            return
        delay = self._delay(code, conn.error)
        self.attempts += 1
        LOG.info("closed %s: reconnecting in %.1f s", code, delay)
        asyncio.get_running_loop().call_later(delay, self._reconnect)

    def _reconnect(self):
        if self._done.done():
            return
        resume = {"previousConnectionId": self.last_id, **self.resume_query()} if self.last_id else {}
        self.current = self._start(resume, "reconnect")

    def _delay(self, code: int, error: dict | None) -> float:
        """Seconds before the next attempt: at once for 1001, the server's hint, else backoff."""
        if code == 1001 and self.attempts == 0:
            return random.uniform(0, 0.5)
        step = min(15.0, 0.5 * 2 ** min(self.attempts, 5))
        backoff = step / 2 + random.uniform(0, step / 2)
        hint = (error or {}).get("retryAfterMs")
        if hint:
            return max(backoff, hint / 1000 * random.uniform(1.0, 1.2))
        return backoff


async def _maybe_await(value):
    if asyncio.iscoroutine(value):
        await value
