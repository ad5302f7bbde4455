#!/usr/bin/env python3
"""A backend for Pentecost's route integrations, with aiohttp (Debian's ``python3-aiohttp``).

Configure the server with (docs/backend.md):

    backend.routes:  $connect=http://127.0.0.1:8090/ws/connect,
                     $disconnect=http://127.0.0.1:8090/ws/disconnect,
                     progress=http://127.0.0.1:8090/ws/progress
    backend.signingSecret: the same secret as PENTECOST_SIGNING_SECRET here
    backend.keys:          the same key as PENTECOST_BACKEND_KEY here

Every request's X-Pentecost-Signature is checked first (401 when missing, wrong or stale). A
client's ``{"action":"progress","percent":40}`` is answered at once with the route response
``{"type":"progressAck",...}`` (Pentecost sends it to the client), and a moment later the backend
pushes ``{"type":"progressDone",...}`` to the same connection with ``POST /@connections/{id}``.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from urllib.parse import quote

from aiohttp import ClientSession, ClientTimeout, web

from pentecost_example.signature import HEADER, verify

LOG = logging.getLogger("backend")


@web.middleware
async def signed_only(request: web.Request, handler):
    """Refuses any request whose signature does not verify: a forgery or a replay."""
    body = await request.read()  # the raw bytes: the signature covers them, not parsed JSON
    if not verify(request.app["secret"], request.headers.get(HEADER), body):
        LOG.warning("refused %s: bad or stale signature", request.path)
        return web.json_response({"error": "bad signature"}, status=401)
    request["event"] = json.loads(body) if body else {}
    return await handler(request)


def context_of(event: dict) -> dict:
    return event.get("requestContext", {})


async def on_connect(request: web.Request):
    ctx = context_of(request["event"])
    auth = ctx.get("authorizer", {})
    LOG.info("$connect %s %s %s/%s from %s", ctx.get("connectionId"), auth.get("role"),
             auth.get("sessionId"), auth.get("targetLanguage"), ctx.get("identity", {}).get("sourceIp"))
    print(f"connect {ctx.get('connectionId')}", flush=True)
    # A 2xx allows the connection; "context" is carried in every later event's authorizer.
    return web.json_response({"context": {"plan": "example"}})


async def on_disconnect(request: web.Request):
    ctx = context_of(request["event"])
    print(f"disconnect {ctx.get('connectionId')}", flush=True)
    return web.Response(status=200)


async def on_progress(request: web.Request):
    event = request["event"]
    ctx = context_of(event)
    connection_id = ctx["connectionId"]
    try:
        message = json.loads(event.get("body") or "{}")
    except ValueError:
        message = {}
    percent = message.get("percent")
    print(f"progress {connection_id} {percent}", flush=True)
    reply = {"type": "progressAck", "percent": percent, "requestId": message.get("requestId"),
             "plan": ctx.get("authorizer", {}).get("plan")}
    # The push goes out after this answer has been sent (and a moment more), so that the client
    # sees the route response first, then the pushed message.
    push = {"type": "progressDone", "percent": percent, "at": int(time.time() * 1000)}
    task = asyncio.create_task(later(request.app, connection_id, push))
    request.app["pushes"].add(task)
    task.add_done_callback(request.app["pushes"].discard)
    return web.json_response(reply)


async def later(app: web.Application, connection_id: str, message: dict):
    await asyncio.sleep(app["push_delay"])
    await push_to(app, connection_id, message)


async def push_to(app: web.Application, connection_id: str, message: dict) -> int:
    """POST /@connections/{id}: the body, as is, becomes one text message to that connection."""
    url = f"{app['pentecost']}/@connections/{quote(connection_id, safe='')}"
    headers = {"Authorization": f"Bearer {app['key']}", "Content-Type": "application/json"}
    try:
        async with app["http"].post(url, data=json.dumps(message), headers=headers) as r:
            if r.status == 410:
                LOG.info("push to %s: the connection is gone", connection_id)
            elif r.status >= 300:
                LOG.warning("push to %s: %s %s", connection_id, r.status, await r.text())
            print(f"pushed {connection_id} {r.status}", flush=True)
            return r.status
    except Exception as e:  # the example logs and goes on; a real backend might retry
        LOG.warning("push to %s failed: %s", connection_id, e)
        return 0


async def start_http(app: web.Application):
    app["http"] = ClientSession(timeout=ClientTimeout(total=10))
    app["pushes"] = set()
    yield
    for task in list(app["pushes"]):
        task.cancel()
    await app["http"].close()


def make_app(secret: str, key: str, pentecost: str, push_delay: float) -> web.Application:
    app = web.Application(middlewares=[signed_only])
    app["secret"], app["key"] = secret, key
    app["pentecost"], app["push_delay"] = pentecost.rstrip("/"), push_delay
    app.cleanup_ctx.append(start_http)
    app.router.add_post("/ws/connect", on_connect)
    app.router.add_post("/ws/disconnect", on_disconnect)
    app.router.add_post("/ws/progress", on_progress)
    return app


async def serve(args):
    app = make_app(args.secret, args.key, args.pentecost, args.push_delay)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, args.host, args.port).start()
    print(f"backend listening on http://{args.host}:{args.port}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8090)
    p.add_argument("--pentecost", default="http://localhost:8080",
                   help="the Pentecost server whose management API receives the pushes")
    p.add_argument("--secret", default=os.environ.get("PENTECOST_SIGNING_SECRET"),
                   help="backend.signingSecret (default: $PENTECOST_SIGNING_SECRET)")
    p.add_argument("--key", default=os.environ.get("PENTECOST_BACKEND_KEY"),
                   help="one of backend.keys (default: $PENTECOST_BACKEND_KEY)")
    p.add_argument("--push-delay", type=float, default=1.0, help="seconds before the push")
    args = p.parse_args()
    if not args.secret or not args.key:
        p.error("the signing secret and a backend key are needed (flags or environment)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s",
                        stream=sys.stderr)
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
