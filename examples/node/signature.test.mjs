// node --test: the signature check against a vector computed by openssl, forgeries and replays.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { verifySignature } from "./signature.mjs";

const sign = (secret, body, t) => `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;

test("a known vector: printf '1700000000.{}' | openssl dgst -sha256 -hmac s3cret", () => {
  const header = "t=1700000000,v1=97926816e98fbb41ccb1673225ff29a2f35369099990e1b1561651e7bd097ebf";
  assert.equal(verifySignature("s3cret", header, Buffer.from("{}"), { now: 1700000100 }), true);
});

test("refuses forgeries, replays and garbage", () => {
  const body = Buffer.from('{"requestContext":{"routeKey":"progress"}}');
  const good = sign("s3cret", body, 1000);
  assert.equal(verifySignature("s3cret", good, body, { now: 1000 }), true);
  assert.equal(verifySignature("other", good, body, { now: 1000 }), false);
  assert.equal(verifySignature("s3cret", good, Buffer.concat([body, Buffer.from(" ")]), { now: 1000 }), false);
  assert.equal(verifySignature("s3cret", good, body, { now: 1301 }), false);
  for (const header of [undefined, "", "t=1000", "v1=00", "t=x,v1=00", "t=1000,v1=zz"]) {
    assert.equal(verifySignature("s3cret", header, body, { now: 1000 }), false, String(header));
  }
});
