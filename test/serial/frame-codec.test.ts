import { describe, expect, it } from "vitest";
import {
  crc32c,
  encodeFrame,
  FRAME_CRC_SIZE,
  FRAME_HEADER_SIZE,
  FrameStreamDecoder,
  MAX_FRAME_PAYLOAD,
  MAX_FRAME_SIZE,
  MAX_LINE_LENGTH,
  type StreamItem,
} from "../../host/serial/frame-codec.js";
import { decodeMessage, encodeMessage, type Message } from "../../host/serial/messages.js";
import { loadCrypto } from "../../host/wasm/crypto.js";
import { SeededRandom } from "../support/seeded-random.js";
import { consoleBoard } from "./console-board.js";

const text = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** Decodes a stream delivered in the given chunk sizes (cycled), then flushes. */
function decode(
  stream: Uint8Array,
  chunkSizes: number[] = [stream.length || 1],
): { items: StreamItem[]; decoder: FrameStreamDecoder } {
  const decoder = new FrameStreamDecoder();
  const items: StreamItem[] = [];
  for (let at = 0, i = 0; at < stream.length; i++) {
    const size = Math.max(1, chunkSizes[i % chunkSizes.length]);
    items.push(...decoder.push(stream.subarray(at, at + size)));
    at += size;
  }
  items.push(...decoder.flush());
  return { items, decoder };
}

const frames = (items: StreamItem[]) => items.flatMap((i) => (i.kind === "frame" ? [i.payload] : []));
const lines = (items: StreamItem[]) => items.flatMap((i) => (i.kind === "text" ? [i.line] : []));

/** A frame with its length field replaced (and a consistent or broken check). */
function headerOnly(length: number, check: number): Uint8Array {
  return new Uint8Array([0xfe, 0xff, length & 0xff, length >> 8, check & 0xff, check >> 8]);
}

describe("CRC-32C on the host", () => {
  it("gives RFC 3720's check value and agrees with the firmware's on random inputs", async () => {
    expect(crc32c(text("123456789"))).toBe(0xe3069283);
    const crypto = await loadCrypto();
    const random = new SeededRandom(1);
    for (let i = 0; i < 50; i++) {
      const data = random.bytes(random.between(0, 3000));
      expect(crc32c(data)).toBe(crypto.crc32c(data));
      const cut = random.between(0, data.length);
      expect(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut)))).toBe(crc32c(data));
    }
  });
});

describe("frames round-trip", () => {
  it("encodes the documented layout", () => {
    const frame = encodeFrame(new Uint8Array([1, 2, 3]));
    expect([...frame.subarray(0, 6)]).toEqual([0xfe, 0xff, 3, 0, 0xfc, 0xff]);
    expect(frame.length).toBe(3 + FRAME_HEADER_SIZE + FRAME_CRC_SIZE);
    const crc = new DataView(frame.buffer).getUint32(9, true);
    expect(crc).toBe(crc32c(frame.subarray(2, 9)));
  });

  it("refuses a payload above the maximum", () => {
    expect(() => encodeFrame(new Uint8Array(MAX_FRAME_PAYLOAD + 1))).toThrow(RangeError);
    expect(encodeFrame(new Uint8Array(MAX_FRAME_PAYLOAD)).length).toBe(MAX_FRAME_SIZE);
  });

  it("decodes every payload size, whatever the chunking", () => {
    const random = new SeededRandom(2);
    const payloads = [0, 1, 2, 255, 256, 1279, 1280, MAX_FRAME_PAYLOAD].map((n) => random.bytes(n));
    const stream = concat(...payloads.map(encodeFrame));
    for (const chunks of [[stream.length], [1], [2, 3, 5, 7], [1409], [64]]) {
      const { items, decoder } = decode(stream, chunks);
      expect(frames(items)).toEqual(payloads);
      expect(decoder.counters.framesReceived).toBe(payloads.length);
      expect(decoder.counters.garbageBytes).toBe(0);
    }
  });

  it("every message survives encode → frame → decode", () => {
    const key = new Uint8Array(32).fill(7);
    const messages: Message[] = [
      { type: "hello", protocolVersion: 1, requestId: 1 },
      { type: "send", level: 4, destination: key, contact: 3, payload: text("hi"), requestId: 2 },
      { type: "send", level: 0, destination: "broadcast", payload: new Uint8Array(1280), requestId: 3 },
      { type: "stats", requestId: 4 },
      { type: "config-get", requestId: 5 },
      { type: "config-set", regionIndex: 1, txPowerDbm: -9, requestId: 6 },
      { type: "ping", data: text("echo"), requestId: 7 },
      { type: "reboot", requestId: 65535 },
      {
        type: "identity",
        protocolVersion: 1,
        radio: 4,
        mtu: 1183,
        publicKey: key,
        fingerprint: new Uint8Array(10).fill(1),
        firmwareVersion: "0.1.0",
        boardName: "heltec-v3",
        requestId: 1,
      },
      { type: "send-result", status: 2, level: 4, mtu: 1183, requestId: 2 },
      {
        type: "config",
        stored: { regionIndex: 1, presetIndex: 2, txPowerDbm: 20 },
        running: { regionIndex: 0, presetIndex: 0, txPowerDbm: 14 },
        effectiveTxPowerDbm: 14,
        rebootRequired: true,
        storedRegionName: "US915",
        storedPresetName: "SF9BW125",
        requestId: 6,
      },
      { type: "pong", data: text("echo"), requestId: 7 },
      { type: "reboot-ack", requestId: 65535 },
      {
        type: "received",
        layer: 3,
        level: 4,
        payload: text("payload"),
        signer: key,
        contact: 2,
        rssiDbm: -80.5,
        snrDb: 7.2,
        requestId: 0,
      },
      { type: "received", layer: 3, level: 1, payload: new Uint8Array(1275), requestId: 0 },
      // Routed (layer 4): the origin's address and the hops, then the payload.
      {
        type: "received",
        layer: 4,
        level: 2,
        payload: text("routed"),
        source: new Uint8Array(16).fill(0xab),
        hops: 3,
        requestId: 0,
      },
      { type: "log", level: 1, text: "warning: ✓ utf-8", requestId: 0 },
      { type: "error", code: 3, text: "bad value", requestId: 9 },
    ];
    for (const message of messages) {
      const { items } = decode(encodeFrame(encodeMessage(message, message.requestId)));
      const [payload] = frames(items);
      const decoded = decodeMessage(payload);
      expect(decoded).toEqual({ ok: true, message });
    }
  });

  it("decoding never throws: truncated, unknown and random payloads give an error value", () => {
    const random = new SeededRandom(3);
    expect(decodeMessage(new Uint8Array([0x81]))).toMatchObject({ ok: false, error: { reason: "too-short" } });
    expect(decodeMessage(new Uint8Array([0x55, 9, 0]))).toMatchObject({
      ok: false,
      error: { reason: "unknown-type", typeCode: 0x55, requestId: 9 },
    });
    // An Identity cut anywhere before its last fixed field is too short, never a partial message.
    const identity = encodeMessage(
      {
        type: "identity",
        protocolVersion: 1,
        radio: 0,
        mtu: 1,
        publicKey: new Uint8Array(32),
        fingerprint: new Uint8Array(10),
        firmwareVersion: "0.1.0",
        boardName: "b",
      },
      1,
    );
    for (let cut = 3; cut < identity.length; cut++) {
      expect(decodeMessage(identity.subarray(0, cut)).ok).toBe(false);
    }
    for (let i = 0; i < 3000; i++) {
      const payload = random.bytes(random.between(0, 80));
      if (i % 3 === 0 && payload.length > 0) payload[0] = [0x01, 0x02, 0x05, 0x81, 0x83, 0x84, 0xc0, 0xc1, 0xe0][i % 9];
      expect(() => decodeMessage(payload)).not.toThrow();
    }
  });
});

describe("the host's stream decoder", () => {
  it("separates boot logs, frames and the text between them", () => {
    const stream = concat(
      text("ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET)\r\n"),
      encodeFrame(text("one")),
      text("between\n"),
      encodeFrame(text("two")),
      encodeFrame(text("three")),
      text("\x1b[0;32mI (312) coloured\x1b[0m\r\n"),
    );
    const { items, decoder } = decode(stream, [3]);
    expect(
      items.map((i) => (i.kind === "text" ? i.line : i.kind === "frame" ? `[${Buffer.from(i.payload)}]` : "?")),
    ).toEqual([
      "ets Jun  8 2016 00:22:57",
      "rst:0x1 (POWERON_RESET)",
      "[one]",
      "between",
      "[two]",
      "[three]",
      "\x1b[0;32mI (312) coloured\x1b[0m",
    ]);
    expect(decoder.counters).toMatchObject({ framesReceived: 3, textLines: 4, garbageBytes: 0, badCrc: 0 });
  });

  it("a frame ends a partial line, and flush() emits one a quiet board left", () => {
    const decoder = new FrameStreamDecoder();
    expect(decoder.push(text("no newline yet"))).toEqual([]);
    expect(decoder.push(encodeFrame(text("f")))).toEqual([
      { kind: "text", line: "no newline yet" },
      { kind: "frame", payload: text("f") },
    ]);
    expect(decoder.push(text("prompt> "))).toEqual([]);
    expect(decoder.flush()).toEqual([{ kind: "text", line: "prompt> " }]);
  });

  it("cuts an endless line at the line buffer's size", () => {
    const { items } = decode(new Uint8Array(MAX_LINE_LENGTH * 2 + 10).fill(0x61));
    expect(lines(items).map((l) => l.length)).toEqual([MAX_LINE_LENGTH, MAX_LINE_LENGTH, 10]);
  });

  it("resynchronises after a bit flip: the corrupt frame is counted, the next one arrives", () => {
    const bad = encodeFrame(text("corrupted payload"));
    bad[10] ^= 0x10;
    const { items, decoder } = decode(concat(bad, encodeFrame(text("next"))));
    expect(frames(items)).toEqual([text("next")]);
    expect(decoder.counters.badCrc).toBe(1);
    expect(lines(items)).toEqual([]);
  });

  it("a frame cut by a board reset does not swallow the boot log after it, nor the next frame", () => {
    const random = new SeededRandom(5);
    for (const payload of [random.bytes(300), text(`\x02${"I (1234) wifi: a log frame's text ".repeat(8)}`)]) {
      const cut = encodeFrame(payload).subarray(0, 40);
      const stream = concat(
        text("before the reset\r\n"),
        cut,
        text("ets Jun  8 2016 00:22:57\r\nmeshstack 0.1.0 board=b key=aaaa-bbbb-cccc-dddd\r\n"),
        encodeFrame(text("after reset")),
        new Uint8Array(400).fill(0x0a), // the cut frame claimed more bytes than followed it
      );
      const { items, decoder } = decode(stream, [7]);
      expect(frames(items)).toEqual([text("after reset")]);
      expect(lines(items)[0]).toBe("before the reset");
      expect(lines(items)).toContain("meshstack 0.1.0 board=b key=aaaa-bbbb-cccc-dddd");
      // The first boot line followed the cut without a line break: the remains of a binary frame
      // are dropped; the remains of a text frame stay in front of it, nothing is lost.
      expect(lines(items).some((line) => line.endsWith("ets Jun  8 2016 00:22:57"))).toBe(true);
      expect(decoder.counters.badCrc).toBe(1);
    }
  });

  it("finds a frame that starts inside a truncated one", () => {
    const truncated = encodeFrame(new Uint8Array(100)).subarray(0, 20);
    const { items, decoder } = decode(concat(truncated, encodeFrame(text("inner")), new Uint8Array(120).fill(0x0a)));
    expect(frames(items)).toEqual([text("inner")]);
    expect(decoder.counters.badCrc).toBe(1);
  });

  it("rejects a bad or oversize length at once, without waiting for its bytes", () => {
    const decoder = new FrameStreamDecoder();
    const next = encodeFrame(text("ok"));
    expect(frames(decoder.push(concat(headerOnly(0xffff, 0x0000), next)))).toEqual([text("ok")]);
    expect(
      frames(decoder.push(concat(headerOnly(MAX_FRAME_PAYLOAD + 1, (MAX_FRAME_PAYLOAD + 1) ^ 0xffff), next))),
    ).toEqual([text("ok")]);
    expect(frames(decoder.push(concat(headerOnly(10, 10), next)))).toEqual([text("ok")]);
    expect(decoder.counters).toMatchObject({ oversize: 2, badHeader: 1, framesReceived: 3 });
    expect(decoder.pendingBytes()).toBe(0);
  });

  it("a lone FE is garbage, and the byte after it is read again (even another FE)", () => {
    const { items, decoder } = decode(
      concat(new Uint8Array([0xfe]), text("text\n"), new Uint8Array([0xfe, 0xfe]), encodeFrame(text("x"))),
    );
    expect(lines(items)).toEqual(["text"]);
    expect(frames(items)).toEqual([text("x")]);
    expect(decoder.counters.garbageBytes).toBe(3);
  });

  it("binary junk is counted as garbage, not shown as a log line", () => {
    const random = new SeededRandom(4);
    const junk = random.bytes(200).map((b) => (b >= 0xfe ? 0 : b));
    const { items, decoder } = decode(concat(junk, text("\n")));
    expect(lines(items)).toEqual([]);
    expect(decoder.counters.garbageBytes).toBe(junk.filter((b) => b !== 0x0a).length);
  });
});

// ---- fuzzing both decoders ----

interface FuzzStream {
  bytes: Uint8Array;
  /** Frames left intact, in order, as the payloads they carry. */
  intact: Uint8Array[];
  intactBytes: number;
  /** Clean lines, each on a line of its own. */
  lines: string[];
}

/**
 * A stream of intact frames, text lines, random junk (FE and FF included), truncated frames,
 * bit-flipped frames and headers with absurd lengths. `payload` makes each intact frame's payload.
 */
function fuzzStream(random: SeededRandom, segments: number, payload: (i: number) => Uint8Array): FuzzStream {
  const parts: Uint8Array[] = [];
  const intact: Uint8Array[] = [];
  const cleanLines: string[] = [];
  let intactBytes = 0;
  for (let i = 0; i < segments; i++) {
    const kind = random.below(7);
    if (kind === 0 || kind === 1) {
      const p = payload(i);
      intact.push(p);
      parts.push(encodeFrame(p));
      intactBytes += p.length + FRAME_HEADER_SIZE + FRAME_CRC_SIZE;
    } else if (kind === 2) {
      const line = `log line ${i} ${"x".repeat(random.below(60))}`;
      cleanLines.push(line);
      // A newline first: junk before it may have left a partial line.
      parts.push(text(`\n${line}\r\n`));
    } else if (kind === 3) {
      parts.push(random.bytes(random.between(1, 40)));
    } else if (kind === 4) {
      const frame = encodeFrame(random.bytes(random.between(0, 600)));
      parts.push(frame.subarray(0, random.between(1, frame.length - 1)));
    } else if (kind === 5) {
      const frame = encodeFrame(random.bytes(random.between(0, 600)));
      const bit = random.below(frame.length * 8);
      frame[bit >> 3] ^= 1 << (bit & 7);
      parts.push(frame);
    } else {
      const length = random.nextU32() & 0xffff;
      parts.push(headerOnly(length, random.below(2) ? length ^ 0xffff : random.nextU32() & 0xffff));
    }
  }
  // Enough bytes after the end to settle any candidate still open (its claimed length is bounded).
  parts.push(new Uint8Array(MAX_FRAME_SIZE).fill(0x0a));
  return { bytes: concat(...parts), intact, intactBytes, lines: cleanLines };
}

function isSubsequence(needles: string[], haystack: string[]): boolean {
  let at = 0;
  for (const item of haystack) if (at < needles.length && item === needles[at]) at++;
  return at === needles.length;
}

describe("fuzzing the host's decoder", () => {
  it("never throws, delivers every intact frame and clean line in order, and accounts for every byte", () => {
    const seen = { badCrc: 0, badHeader: 0, oversize: 0 };
    for (let seed = 1; seed <= 60; seed++) {
      const random = new SeededRandom(seed);
      const stream = fuzzStream(random, 80, () => random.bytes(random.between(0, 300)));
      const chunks = Array.from({ length: 16 }, () => random.between(1, seed % 2 ? 16 : 2000));
      const { items, decoder } = decode(stream.bytes, chunks);
      expect(frames(items), `seed ${seed}`).toEqual(stream.intact);
      expect(isSubsequence(stream.lines, lines(items)), `seed ${seed}`).toBe(true);
      const c = decoder.counters;
      expect(c.framesReceived).toBe(stream.intact.length);
      expect(c.textBytes + c.garbageBytes + stream.intactBytes + decoder.pendingBytes(), `seed ${seed}`).toBe(
        stream.bytes.length,
      );
      seen.badCrc += c.badCrc;
      seen.badHeader += c.badHeader;
      seen.oversize += c.oversize;
    }
    // The streams did exercise every way a candidate can fail.
    expect(Math.min(seen.badCrc, seen.badHeader, seen.oversize)).toBeGreaterThan(50);
  });

  it("survives pure noise of every kind", () => {
    const random = new SeededRandom(99);
    const decoder = new FrameStreamDecoder();
    let total = 0;
    for (let i = 0; i < 300; i++) {
      const chunk = random.bytes(random.between(0, 3000));
      // Bias towards frame starts so the candidate paths run, not just the text path.
      for (let j = 0; j < chunk.length; j += random.between(1, 50)) chunk[j] = j % 2 ? 0xfe : 0xff;
      total += chunk.length;
      expect(() => decoder.push(chunk)).not.toThrow();
    }
    decoder.flush();
    const c = decoder.counters;
    expect(c.textBytes + c.garbageBytes + decoder.pendingBytes()).toBe(total);
    expect(decoder.pendingBytes()).toBeLessThanOrEqual(MAX_FRAME_SIZE);
  });
});

describe("fuzzing the board's decoder (consoleReceive)", () => {
  it("never traps, answers every intact frame in order, and counts exactly what the host's decoder counts", async () => {
    let failures = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const board = await consoleBoard({ seed, bootLogs: false });
      const random = new SeededRandom(1000 + seed);
      // Every intact frame is a Ping, so its Pong proves it arrived, whole and in order.
      const stream = fuzzStream(random, 60, (i) =>
        encodeMessage({ type: "ping", data: random.bytes(random.between(0, i % 10 === 0 ? 1397 : 100)) }, i + 1),
      );
      const heapBefore = board.stack.heapBytes();
      for (let at = 0; at < stream.bytes.length; ) {
        const size = random.between(1, 700);
        board.feed(stream.bytes.subarray(at, at + size));
        at += size;
      }
      expect(board.stack.heapBytes()).toBe(heapBefore);
      const reference = decode(stream.bytes).decoder.counters;

      board.uart.length = 0;
      board.feed(encodeFrame(encodeMessage({ type: "stats" }, 9999)));
      const output = decode(board.output());
      expect(output.decoder.counters.garbageBytes).toBe(0);
      const messages = frames(output.items).map((p) => decodeMessage(p));
      const stats = messages.find((m) => m.ok && m.message.type === "stats-report");
      expect(stats?.ok && stats.message.type === "stats-report").toBe(true);
      if (!stats?.ok || stats.message.type !== "stats-report") return;
      expect(stats.message.serial, `seed ${seed}`).toMatchObject({
        framesReceived: stream.intact.length + 1,
        badCrc: reference.badCrc,
        oversize: reference.oversize,
        badHeader: reference.badHeader,
        garbageBytes: stream.bytes.length - stream.intactBytes,
        unknownMessages: 0,
        malformedMessages: 0,
      });
      failures += Math.min(reference.badCrc, reference.badHeader, reference.oversize);
    }
    expect(failures).toBeGreaterThan(12);
  });

  it("echoes the intact frames' pings in order", async () => {
    const board = await consoleBoard({ seed: 5, bootLogs: false });
    const random = new SeededRandom(77);
    const pings: Uint8Array[] = [];
    const stream = fuzzStream(random, 120, (i) => {
      const data = random.bytes(random.between(0, 200));
      pings.push(data);
      return encodeMessage({ type: "ping", data }, i + 1);
    });
    board.feed(stream.bytes);
    const pongs = frames(decode(board.output()).items)
      .map((p) => decodeMessage(p))
      .flatMap((d) => (d.ok && d.message.type === "pong" ? [d.message.data] : []));
    expect(pongs).toEqual(pings);
  });

  it("takes huge and random lengths, pure noise and one byte at a time without trapping", async () => {
    const board = await consoleBoard({ seed: 6, bootLogs: false });
    const random = new SeededRandom(5);
    const heapBefore = board.stack.heapBytes();
    for (let i = 0; i < 200; i++) {
      const chunk = random.bytes(random.between(0, 5000));
      for (let j = 0; j < chunk.length; j += random.between(1, 30)) chunk[j] = j % 3 ? 0xfe : 0xff;
      board.feed(chunk);
    }
    for (const byte of concat(
      headerOnly(0xffff, 0),
      encodeFrame(encodeMessage({ type: "ping", data: text("alive") }, 1)),
    )) {
      board.feed(new Uint8Array([byte]));
    }
    board.feed(new Uint8Array(MAX_FRAME_SIZE));
    expect(board.stack.heapBytes()).toBe(heapBefore);
    board.uart.length = 0;
    board.feed(encodeFrame(encodeMessage({ type: "ping", data: text("still alive") }, 2)));
    const [pong] = frames(decode(board.output()).items).map((p) => decodeMessage(p));
    expect(pong).toMatchObject({ ok: true, message: { type: "pong", requestId: 2 } });
  });
});
