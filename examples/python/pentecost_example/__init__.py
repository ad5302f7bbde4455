"""Pentecost from Python: audio frames, a live WebSocket connection that heartbeats, refreshes and
reconnects as docs/protocol.md says, and the backend request signature."""
