// The QEMU board's UART carries the console and the bus tunnel on one byte stream. These tests check
// that the host splits it without losing, reordering or altering a console byte, whatever the
// chunking, and that console input is never cut by a tunnel frame.
import { describe, expect, it } from "vitest";
import { ConsoleInputAligner } from "../../host/native/console-input-aligner.js";
import { BusOp, encodeBusReply, encodeBusRequest } from "../../host/native/tunnel-protocol.js";
import { UartDemultiplexer } from "../../host/native/uart-demultiplexer.js";
import { encodeFrame, FrameStreamDecoder } from "../../host/serial/frame-codec.js";
import { SeededRandom } from "../support/seeded-random.js";

const text = (s: string) => new TextEncoder().encode(s);

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

/** A stream from the board, what the console side must see, and the requests the tunnel must get. */
interface Scripted {
  stream: Uint8Array;
  console: Uint8Array;
  requests: Uint8Array[];
}

function script(pieces: ({ console: Uint8Array } | { request: Uint8Array })[]): Scripted {
  const stream: Uint8Array[] = [];
  const consoleBytes: Uint8Array[] = [];
  const requests: Uint8Array[] = [];
  for (const piece of pieces) {
    if ("console" in piece) {
      stream.push(piece.console);
      consoleBytes.push(piece.console);
    } else {
      stream.push(encodeFrame(piece.request));
      requests.push(piece.request);
    }
  }
  return { stream: concat(stream), console: concat(consoleBytes), requests };
}

function demultiplex(chunks: Uint8Array[]): { console: Uint8Array; requests: Uint8Array[]; pending: number } {
  const consoleParts: Uint8Array[] = [];
  const requests: Uint8Array[] = [];
  const demultiplexer = new UartDemultiplexer({
    console: (bytes) => consoleParts.push(bytes.slice()),
    busRequest: (payload) => requests.push(payload),
  });
  for (const chunk of chunks) demultiplexer.push(chunk);
  // What the owner does when the stream goes quiet with a partial frame held.
  demultiplexer.onStall();
  return { console: concat(consoleParts), requests, pending: demultiplexer.pendingBytes() };
}

const consoleFrame = encodeFrame(Uint8Array.of(0x81, 0x01, 0x00, 1, 2, 3));
const boot = script([
  { console: text("meshstack 0.1.0 board=qemu-rv32 key=abcd-efgh\r\n") },
  { request: encodeBusRequest(1, BusOp.StorageRead, Uint8Array.of(0)) },
  { console: text("native: new identity created\r\n") },
  { request: encodeBusRequest(2, BusOp.SpiTransfer, Uint8Array.of(0, 0xc0, 0x00, 0xfe, 0xff)) },
  { console: consoleFrame },
  { request: encodeBusRequest(3, BusOp.GpioRead, Uint8Array.of(0, 1)) },
  { request: encodeBusRequest(4, BusOp.Entropy, Uint8Array.of(32)) },
  { console: Uint8Array.of(0xfe, 0x41, 0xfe, 0xfe, 0xff, 0x00, 0xfe, 0x0d, 0x0a) },
  { console: encodeFrame(Uint8Array.of(0xc1, 0, 0, 2, 0x68, 0x69)) },
]);

describe("the UART demultiplexer", () => {
  it("passes console bytes through unchanged and consumes BusRequest frames, in one chunk", () => {
    const out = demultiplex([boot.stream]);
    expect(out.console).toEqual(boot.console);
    expect(out.requests).toEqual(boot.requests);
  });

  it("gives the same result when the stream is split at every byte boundary", () => {
    for (let cut = 1; cut < boot.stream.length; cut++) {
      const out = demultiplex([boot.stream.subarray(0, cut), boot.stream.subarray(cut)]);
      expect(out.console, `split at ${cut}`).toEqual(boot.console);
      expect(out.requests, `split at ${cut}`).toEqual(boot.requests);
    }
  });

  it("gives the same result byte by byte", () => {
    const out = demultiplex([...boot.stream].map((byte) => Uint8Array.of(byte)));
    expect(out.console).toEqual(boot.console);
    expect(out.requests).toEqual(boot.requests);
  });

  it("releases a console frame whole as soon as it is complete, and text at once", () => {
    const seen: Uint8Array[] = [];
    const demultiplexer = new UartDemultiplexer({ console: (b) => seen.push(b), busRequest: () => {} });
    demultiplexer.push(text("boot\r\n"));
    expect(seen).toEqual([text("boot\r\n")]);
    demultiplexer.push(consoleFrame.subarray(0, 7));
    expect(seen).toHaveLength(1);
    demultiplexer.push(consoleFrame.subarray(7));
    expect(seen[1]).toEqual(consoleFrame);
    expect(demultiplexer.pendingBytes()).toBe(0);
  });

  it("passes a corrupt BusRequest to the console side instead of serving it", () => {
    const frame = encodeFrame(encodeBusRequest(9, BusOp.Entropy, Uint8Array.of(4)));
    frame[frame.length - 1] ^= 0x01;
    const out = demultiplex([frame]);
    expect(out.requests).toEqual([]);
    expect(out.console).toEqual(frame);
  });

  it("finds a BusRequest written after a frame cut short by a reset", () => {
    const request = encodeBusRequest(7, BusOp.StorageRead, Uint8Array.of(0));
    const cut = encodeFrame(new Uint8Array(300)).subarray(0, 40);
    const after = concat([text("meshstack restarted\r\n"), encodeFrame(request)]);
    const seen: Uint8Array[] = [];
    const consoleParts: Uint8Array[] = [];
    const demultiplexer = new UartDemultiplexer({
      console: (b) => consoleParts.push(b),
      busRequest: (p) => seen.push(p),
    });
    demultiplexer.push(concat([cut, after]));
    // The cut frame's length still covers the request: it waits, as a frame would, until the board
    // goes quiet (waiting for its answer).
    expect(seen).toEqual([]);
    demultiplexer.onStall();
    expect(seen).toEqual([request]);
    expect(concat(consoleParts)).toEqual(concat([cut, text("meshstack restarted\r\n")]));
    expect(demultiplexer.pendingBytes()).toBe(0);
  });

  it("keeps waiting for a BusRequest written slowly, whatever its data holds", () => {
    // SPI data that looks like the start of a frame, and a stall in the middle of the request.
    const request = encodeBusRequest(3, BusOp.SpiTransfer, Uint8Array.of(0, 0xfe, 0xff, 0x04, 0x00, 0xfb, 0xff, 0x50));
    const frame = encodeFrame(request);
    for (let cut = 1; cut < frame.length; cut++) {
      const seen: Uint8Array[] = [];
      const consoleParts: Uint8Array[] = [];
      const demultiplexer = new UartDemultiplexer({
        console: (b) => consoleParts.push(b),
        busRequest: (p) => seen.push(p),
      });
      demultiplexer.push(frame.subarray(0, cut));
      demultiplexer.onStall();
      demultiplexer.push(frame.subarray(cut));
      expect(seen, `stalled after ${cut} bytes`).toEqual([request]);
      expect(consoleParts, `stalled after ${cut} bytes`).toEqual([]);
    }
  });

  it("loses no console byte and misses no request on random streams in random chunks (fuzz)", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = new SeededRandom(seed);
      const pieces: ({ console: Uint8Array } | { request: Uint8Array })[] = [];
      for (let n = random.between(1, 12); n > 0; n--) {
        switch (random.below(6)) {
          case 0:
            pieces.push({ console: text(`log line ${random.nextU32()}\r\n`) });
            break;
          case 1:
            pieces.push({ console: random.bytes(random.between(1, 40)) });
            break;
          case 2: {
            // Console frames: any payload but one that starts like a BusRequest.
            const payload = random.bytes(random.between(1, 60));
            if (payload[0] === 0x50) payload[0] = 0xc1;
            pieces.push({ console: encodeFrame(payload) });
            break;
          }
          case 3: {
            // A frame cut short (a reset mid-write): its bytes are console bytes in the end.
            const frame = encodeFrame(random.bytes(random.between(0, 80)));
            pieces.push({ console: frame.subarray(0, random.between(1, frame.length - 1)) });
            break;
          }
          default:
            pieces.push({
              request: encodeBusRequest(random.below(256), random.between(1, 8), random.bytes(random.between(0, 30))),
            });
        }
      }
      // Text at the end completes any cut frame's announced length, as later output would.
      pieces.push({ console: text(`${"tail ".repeat(40)}\r\n`) });
      const scripted = script(pieces);
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < scripted.stream.length; ) {
        const size = random.between(1, 64);
        chunks.push(scripted.stream.subarray(at, at + size));
        at += size;
      }
      const out = demultiplex(chunks);
      expect(out.pending, `seed ${seed}`).toBe(0);
      expect(out.console, `seed ${seed}`).toEqual(scripted.console);
      expect(out.requests, `seed ${seed}`).toEqual(scripted.requests);
    }
  });
});

describe("console input on its way to the board", () => {
  /** Writes console chunks through the aligner, with a tunnel frame injected after every write. */
  function interleave(chunks: Uint8Array[]): { wire: Uint8Array; writes: Uint8Array[] } {
    const writes: Uint8Array[] = [];
    const wire: Uint8Array[] = [];
    const reply = encodeFrame(encodeBusReply(5, 0, Uint8Array.of(0xaa)));
    const aligner = new ConsoleInputAligner((bytes) => {
      writes.push(bytes);
      wire.push(bytes, reply);
    });
    for (const chunk of chunks) aligner.push(chunk);
    expect(aligner.pendingBytes()).toBe(0);
    return { wire: concat(wire), writes };
  }

  const hello = encodeFrame(Uint8Array.of(0x01, 0x01, 0x00, 0x01));
  const send = encodeFrame(concat([Uint8Array.of(0x02, 0x02, 0x00, 1, 1, 0, 0), new Uint8Array(32), text("hi")]));
  const input = concat([hello, text("\r\n"), send, Uint8Array.of(0xfe, 0x00, 0x41), hello]);

  it("delivers every console frame whole, however the pseudo-terminal split it", () => {
    for (let cut = 1; cut < input.length; cut++) {
      const { wire, writes } = interleave([input.subarray(0, cut), input.subarray(cut)]);
      expect(concat(writes), `split at ${cut}`).toEqual(input);
      const decoder = new FrameStreamDecoder();
      const frames = decoder
        .push(wire)
        .filter((item) => item.kind === "frame")
        .map((item) => (item.kind === "frame" ? item.payload[0] : -1));
      // Every console frame and every injected reply arrives intact, in order.
      expect(
        frames.filter((type) => type !== 0xd0),
        `split at ${cut}`,
      ).toEqual([0x01, 0x02, 0x01]);
      expect(decoder.counters.badCrc, `split at ${cut}`).toBe(0);
    }
  });

  it("sends text and broken frame starts at once", () => {
    const writes: Uint8Array[] = [];
    const aligner = new ConsoleInputAligner((b) => writes.push(b));
    aligner.push(text("AT\r\n"));
    aligner.push(Uint8Array.of(0xfe, 0x41));
    aligner.push(Uint8Array.of(0xfe, 0xff, 0x05, 0x00, 0x00, 0x00));
    expect(concat(writes)).toEqual(concat([text("AT\r\n"), Uint8Array.of(0xfe, 0x41, 0xfe, 0xff, 5, 0, 0, 0)]));
    expect(aligner.pendingBytes()).toBe(0);
  });

  it("holds a partial frame until it is complete", () => {
    const writes: Uint8Array[] = [];
    const aligner = new ConsoleInputAligner((b) => writes.push(b));
    aligner.push(hello.subarray(0, 5));
    expect(writes).toEqual([]);
    expect(aligner.pendingBytes()).toBe(5);
    aligner.push(hello.subarray(5));
    expect(writes).toEqual([hello]);
  });
});
