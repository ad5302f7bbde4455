"""Unit tests of the example package: python3 -m unittest (from examples/python)."""

import struct
import unittest

from pentecost_example.frames import parse_frame, pcm16_samples, rms
from pentecost_example.live import ws_url
from pentecost_example.signature import sign, verify
from worker import Translator


class SignatureTest(unittest.TestCase):
    SECRET = "s3cret"
    BODY = b'{"requestContext":{"routeKey":"progress"},"body":"{}"}'

    def test_a_fresh_signature_verifies(self):
        self.assertTrue(verify(self.SECRET, sign(self.SECRET, self.BODY, 1000), self.BODY, now=1010))

    def test_a_known_vector(self):
        # printf '1700000000.{}' | openssl dgst -sha256 -hmac s3cret
        self.assertEqual(
            sign(self.SECRET, b"{}", 1700000000),
            "t=1700000000,v1=97926816e98fbb41ccb1673225ff29a2f35369099990e1b1561651e7bd097ebf")

    def test_refuses_forgeries_replays_and_garbage(self):
        good = sign(self.SECRET, self.BODY, 1000)
        self.assertFalse(verify("other", good, self.BODY, now=1000))
        self.assertFalse(verify(self.SECRET, good, self.BODY + b" ", now=1000))
        self.assertFalse(verify(self.SECRET, good, self.BODY, now=1000 + 301))
        for header in (None, "", "t=1000", "v1=00", "t=x,v1=00", "t=1000,v1=zz"):
            self.assertFalse(verify(self.SECRET, header, self.BODY, now=1000), header)

    def test_any_of_several_v1_may_match(self):
        good = sign(self.SECRET, self.BODY, 1000)
        rotated = good.replace("v1=", "v1=" + "0" * 64 + ",v1=")
        self.assertTrue(verify(self.SECRET, rotated, self.BODY, now=1000))


class FramesTest(unittest.TestCase):
    def test_parses_the_header(self):
        data = struct.pack(">BB2sIq", 1, 3, b"es", 7, 123456) + b"\x01\x00\xff\x7f"
        f = parse_frame(data)
        self.assertEqual((f.flags, f.language, f.seq, f.timestamp_us), (3, "es", 7, 123456))
        self.assertTrue(f.discontinuity)
        self.assertEqual(list(pcm16_samples(f.payload)), [1, 32767])

    def test_refuses_what_is_not_a_frame(self):
        for data in (b"short", struct.pack(">BB2sIq", 2, 0, b"es", 1, 0),
                     struct.pack(">BB2sIq", 1, 0, b"e1", 1, 0)):
            with self.assertRaises(ValueError):
                parse_frame(data)

    def test_ws_url(self):
        self.assertEqual(ws_url("https://a.example", {"sessionId": "x y", "token": None}),
                         "wss://a.example/ws?sessionId=x+y")


class TranslatorTest(unittest.TestCase):
    def test_one_frame_out_per_frame_in_of_the_same_length_and_audible(self):
        t = Translator("es", 16000, 2.0, 330.0)
        out, _ = t.translate(bytes(640))  # 20 ms of silence at 16 kHz
        samples = pcm16_samples(out)
        self.assertEqual(len(samples), 320)
        self.assertGreater(rms(samples), 0.03)

    def test_louder_in_louder_out(self):
        quiet, loud = Translator("es", 16000, 2.0, 330.0), Translator("es", 16000, 2.0, 330.0)
        voice = struct.pack("<320h", *([12000, -12000] * 160))
        for _ in range(20):
            q, _ = quiet.translate(bytes(640))
            v, _ = loud.translate(voice)
        self.assertGreater(rms(pcm16_samples(v)), 2 * rms(pcm16_samples(q)))

    def test_captions_interim_then_final(self):
        t = Translator("es", 16000, 0.2, 330.0)
        captions = [c for _ in range(10) for c in t.translate(bytes(640))[1]]
        self.assertEqual([c["final"] for c in captions], [False, True])
        self.assertTrue(captions[1]["text"].startswith("[es] segment 1"))

    def test_opus_sources_give_frame_ms_of_tone(self):
        t = Translator("es", 48000, 2.0, 330.0)
        t.source_format({"codec": "opus", "sampleRate": 48000, "frameMs": 10})
        out, _ = t.translate(b"\xf8\xff\xfe")
        self.assertEqual(len(out), 2 * 480)


if __name__ == "__main__":
    unittest.main()
