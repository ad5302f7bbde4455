"""The 16-byte header of the audio frames a listener (or a worker) receives, and PCM16 helpers.

Big-endian: version (u8) = 1, flags (u8), language (2 ASCII letters), sequence (u32),
server timestamp (i64, epoch microseconds); then the payload exactly as it was published.
"""

import struct
import sys
from array import array
from dataclasses import dataclass

HEADER_BYTES = 16
VERSION = 1
FLAG_DISCONTINUITY = 1
FLAG_REPLAY = 2
_HEADER = struct.Struct(">BB2sIq")


@dataclass(frozen=True)
class Frame:
    flags: int
    language: str
    seq: int
    timestamp_us: int
    payload: bytes

    @property
    def discontinuity(self) -> bool:
        return bool(self.flags & FLAG_DISCONTINUITY)


def parse_frame(data: bytes) -> Frame:
    """Splits a received binary frame; ValueError if it is not an audio frame of version 1."""
    if len(data) < HEADER_BYTES:
        raise ValueError(f"an audio frame has at least {HEADER_BYTES} bytes, not {len(data)}")
    version, flags, language, seq, timestamp_us = _HEADER.unpack_from(data)
    if version != VERSION:
        raise ValueError(f"audio frame version {version}, expected {VERSION}")
    if not (language.isascii() and language.isalpha()):
        raise ValueError("audio frame language is not two ASCII letters")
    return Frame(flags, language.decode("ascii"), seq, timestamp_us, bytes(data[HEADER_BYTES:]))


def pcm16_samples(payload: bytes) -> array:
    """Signed 16-bit little-endian PCM as an array of ints (an odd last byte is ignored)."""
    samples = array("h")
    samples.frombytes(payload[: len(payload) & ~1])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def pcm16_bytes(samples: array) -> bytes:
    """An array of 16-bit ints as little-endian PCM16."""
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def rms(samples: array) -> float:
    """Loudness of PCM16 samples in [0, 1]."""
    if not samples:
        return 0.0
    return (sum(s * s for s in samples) / len(samples)) ** 0.5 / 32768.0
