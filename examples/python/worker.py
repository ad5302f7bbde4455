#!/usr/bin/env python3
"""A translation worker for one session and one target language, with a stand-in translator.

It joins as ``role=worker`` (a token whose subject is the session's speaker or is listed in
``auth.workerSubjects``), receives the source language's frames and publishes its own language:
for each source frame, one frame of the same duration of PCM16 tone whose loudness follows the
source's (a quiet tone over silence, swelling as the speaker talks), and a caption now and then
(an interim one half way, a final one at the end of each segment). A real worker would put
speech recognition, translation and speech synthesis where ``Translator`` is.

    python3 worker.py --url http://localhost:8080 --session blessed-shepherd-427 \\
        --language es --token "$TOKEN"
"""

import argparse
import asyncio
import logging
import math
import os
import signal
import sys
from array import array

from pentecost_example.frames import parse_frame, pcm16_bytes, pcm16_samples, rms
from pentecost_example.live import LiveConnection

LOG = logging.getLogger("worker")
DEFAULT_SOURCE = {"codec": "pcm16", "sampleRate": 16000, "channels": 1, "frameMs": 20}


class Translator:
    """Source frames in, "translated" PCM16 frames and captions out."""

    def __init__(self, language: str, sample_rate: int, caption_every: float, tone_hz: float):
        self.language = language
        self.rate = sample_rate
        self.caption_every = caption_every
        self.tone_hz = tone_hz
        self.source = dict(DEFAULT_SOURCE)
        self.phase = 0.0
        self.envelope = 0.0
        self.segment_s = 0.0
        self.segments = 0
        self.interim_sent = False

    def source_format(self, audio: dict | None):
        """The format the source announced (``streamStarted``); PCM16 16 kHz mono until then."""
        self.source = {**DEFAULT_SOURCE, **(audio or {})}
        LOG.info("source format: %s", self.source)

    def _loudness_and_duration(self, payload: bytes) -> tuple[float, float]:
        src = self.source
        if src["codec"] == "pcm16":
            samples = pcm16_samples(payload)
            channels = max(1, int(src["channels"]))
            return rms(samples), len(samples) / channels / int(src["sampleRate"])
        # Opus (or anything this stand-in cannot decode): one frame of frameMs, voice present.
        return 0.1, int(src.get("frameMs") or 20) / 1000

    def translate(self, payload: bytes) -> tuple[bytes, list[dict]]:
        """One source payload -> one output payload of the same duration, and captions due."""
        level, seconds = self._loudness_and_duration(payload)
        self.envelope = 0.8 * self.envelope + 0.2 * level
        amplitude = 0.08 + 0.6 * min(1.0, self.envelope * 6)
        n = max(1, round(seconds * self.rate))
        step = 2 * math.pi * self.tone_hz * (1 + 0.1 * min(1.0, self.envelope * 6)) / self.rate
        out = array("h", bytes(2 * n))
        for i in range(n):
            out[i] = int(32767 * amplitude * math.sin(self.phase))
            self.phase = (self.phase + step) % (2 * math.pi)
        return pcm16_bytes(out), self._captions(seconds)

    def _captions(self, seconds: float) -> list[dict]:
        self.segment_s += seconds
        text = f"[{self.language}] segment {self.segments + 1}"
        due = self.caption_every - 1e-6
        if not self.interim_sent and self.segment_s >= due / 2:
            self.interim_sent = True
            return [{"action": "publishCaption", "text": text + " …", "final": False}]
        if self.segment_s >= due:
            self.segments += 1
            self.segment_s = 0.0
            self.interim_sent = False
            loud = "loud" if self.envelope > 0.05 else "quiet"
            return [{"action": "publishCaption", "text": f"{text} ({loud})", "final": True}]
        return []


async def run(args) -> int:
    translator = Translator(args.language, args.sample_rate, args.caption_every, args.tone_hz)
    state = {"source_language": None, "frames": 0}
    live: LiveConnection

    def on_joined(msg, why):
        state["source_language"] = msg.get("sourceLanguage")
        if msg.get("sourceAudio"):
            translator.source_format(msg["sourceAudio"])
        LOG.info("joined %s as %s for %s (%s), source %s", msg.get("sessionId"), msg.get("role"),
                 args.language, why, msg.get("sourceLanguage"))
        print(f"joined {msg['connectionId']} {why}", flush=True)

    def on_message(msg):
        kind = msg.get("type")
        if kind == "streamStarted" and msg.get("language") == state["source_language"]:
            translator.source_format(msg.get("audio"))
        elif kind == "error":
            LOG.warning("error %s: %s", msg.get("code"), msg.get("message"))
        elif kind in ("sessionPaused", "sessionResumed", "speakerDisconnected",
                      "speakerReconnected", "sessionEnded", "connectionRefreshRequired"):
            LOG.info("%s", kind)

    async def on_audio(data: bytes):
        try:
            frame = parse_frame(data)
        except ValueError as e:
            LOG.debug("not an audio frame: %s", e)
            return
        if frame.language != state["source_language"]:
            return
        payload, captions = translator.translate(frame.payload)
        await live.send_audio(payload)
        for caption in captions:
            await live.send(caption)
            print(f"caption {caption['text']}", flush=True)
        state["frames"] += 1
        if state["frames"] == 1 or state["frames"] % 500 == 0:
            print(f"translated {state['frames']} frames", flush=True)

    query = {"sessionId": args.session, "role": "worker", "targetLanguage": args.language,
             "token": args.token, "codec": "pcm16", "sampleRate": args.sample_rate,
             "channels": 1}
    live = LiveConnection(args.url, query, on_message=on_message, on_audio=on_audio,
                          on_joined=on_joined)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, live.stop)
    closed = await live.run()
    print(f"closed {closed.code}" + (f" {closed.error.get('code')}" if closed.error else ""),
          flush=True)
    return 0 if closed.code == 1000 or closed.ended else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://localhost:8080", help="the Pentecost server")
    p.add_argument("--session", required=True, help="the session code")
    p.add_argument("--language", required=True, help="the language to publish (ISO 639-1)")
    p.add_argument("--token", default=os.environ.get("PENTECOST_TOKEN"),
                   help="a worker's token (default: $PENTECOST_TOKEN)")
    p.add_argument("--sample-rate", type=int, default=16000, help="of the published PCM16")
    p.add_argument("--caption-every", type=float, default=2.0, help="seconds of audio")
    p.add_argument("--tone-hz", type=float, default=330.0)
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    if not args.token:
        p.error("a token is needed: --token or PENTECOST_TOKEN")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
