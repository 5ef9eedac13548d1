import { describe, expect, it } from "vitest";
import { DatagramKind, Stack, Status } from "../../host/wasm/stack.js";
import { SeededRandom } from "../support/seeded-random.js";

/** A sender and a receiver, each its own stack instance, with ESP-NOW v1 links (250-byte frames). */
async function pair(options: { kind?: DatagramKind; maxFrameLength?: number; poolSize?: number } = {}) {
  const frames: Uint8Array[] = [];
  const sender = await Stack.load({ onEspNowSend: (f) => frames.push(f) > 0, onUdpSend: (f) => frames.push(f) > 0 });
  const receiver = await Stack.load();
  const kind = options.kind ?? DatagramKind.EspNowV1;
  const senderPool = sender.createPool(8);
  const receiverPool = receiver.createPool(options.poolSize ?? 8);
  const tx = sender.createDatagramLink(kind, senderPool, { maxFrameLength: options.maxFrameLength, seed: 11 });
  const rx = receiver.createDatagramLink(kind, receiverPool, { maxFrameLength: options.maxFrameLength, seed: 12 });
  let now = 1_000;
  /** Sends `payload` and returns the frames it became. */
  const send = (payload: Uint8Array): Uint8Array[] => {
    frames.length = 0;
    expect(sender.push(tx, senderPool, payload)).toBe(Status.Ok);
    sender.poll(tx, now);
    return frames.splice(0);
  };
  const deliver = (list: Uint8Array[]) => {
    for (const f of list) receiver.receiveFrame(rx, f);
    receiver.poll(rx, now);
  };
  const advance = (ms: number) => {
    now += ms;
    receiver.poll(rx, now);
  };
  return { sender, receiver, senderPool, receiverPool, tx, rx, send, deliver, advance };
}

describe("the Data Link MTU is 1280 on every transport", () => {
  it("accepts 1280 bytes and refuses 1281", async () => {
    const p = await pair();
    expect(p.sender.mtu(p.tx)).toBe(1280);
    expect(p.sender.push(p.tx, p.senderPool, new Uint8Array(1281))).toBe(Status.TooBig);
  });
});

describe("fragmentation", () => {
  it("carries every payload of 1..1280 bytes across a clean channel", async () => {
    const p = await pair();
    const random = new SeededRandom(3);
    for (let length = 1; length <= 1280; length++) {
      const payload = random.bytes(length);
      p.deliver(p.send(payload));
      const received = p.receiver.pop(p.rx, p.receiverPool);
      expect(received?.payload, `length ${length}`).toEqual(payload);
    }
    const counters = p.receiver.dataLinkCounters(p.rx);
    expect(counters.packetsReceived).toBe(1280);
    expect(counters.droppedGarbage + counters.droppedReassemblyTimeout + counters.droppedNoBuffer).toBe(0);
    expect(p.receiver.poolAvailable(p.receiverPool)).toBe(8);
    expect(p.sender.poolAvailable(p.senderPool)).toBe(8);
  });

  it("sends a payload that fits one frame as one unpadded frame, and 1280 bytes as six 250-byte-or-less frames", async () => {
    const p = await pair();
    const small = p.send(new Uint8Array(249).fill(7));
    expect(small.map((f) => f.length)).toEqual([250]);
    expect(small[0][0]).toBe(0x00);
    expect(p.send(new Uint8Array(10)).map((f) => f.length)).toEqual([11]);
    const large = p.send(new Uint8Array(1280));
    // Five full fragments carry 5 × 247 bytes; the last carries the remaining 45 plus its 3-byte header.
    expect(large.map((f) => f.length)).toEqual([250, 250, 250, 250, 250, 48]);
    expect(large.map((f) => f[0])).toEqual([0x85, 0x8d, 0x95, 0x9d, 0xa5, 0xad]);
    expect(new Set(large.map((f) => f[1] | (f[2] << 8))).size).toBe(1);
  });

  it("a UDP link carries 1280 bytes in one datagram", async () => {
    const p = await pair({ kind: DatagramKind.Udp });
    const frames = p.send(new Uint8Array(1280).fill(1));
    expect(frames.map((f) => f.length)).toEqual([1281]);
  });

  it("loses the packet, and frees its buffer, when any one fragment is lost", async () => {
    const p = await pair();
    const payload = new SeededRandom(9).bytes(1280);
    for (let missing = 0; missing < 6; missing++) {
      const frames = p.send(payload);
      p.deliver(frames.filter((_, i) => i !== missing));
      expect(p.receiver.pop(p.rx, p.receiverPool)).toBeUndefined();
      expect(p.receiver.poolAvailable(p.receiverPool)).toBe(7); // held by the partial packet
      p.advance(60_000);
      expect(p.receiver.poolAvailable(p.receiverPool)).toBe(8);
    }
    expect(p.receiver.dataLinkCounters(p.rx).droppedReassemblyTimeout).toBe(6);
  });

  it("reassembles fragments that arrive shuffled and duplicated, once", async () => {
    const p = await pair();
    const random = new SeededRandom(21);
    for (let round = 0; round < 50; round++) {
      const payload = random.bytes(random.between(250, 1280));
      const frames = p.send(payload);
      const noisy = [...frames, ...frames.filter(() => random.below(2) === 0)];
      for (let i = noisy.length - 1; i > 0; i--) {
        const j = random.below(i + 1);
        [noisy[i], noisy[j]] = [noisy[j], noisy[i]];
      }
      p.deliver(noisy);
      expect(p.receiver.pop(p.rx, p.receiverPool)?.payload).toEqual(payload);
      expect(p.receiver.pop(p.rx, p.receiverPool)).toBeUndefined();
    }
    expect(p.receiver.dataLinkCounters(p.rx).duplicateFragments).toBeGreaterThan(0);
    expect(p.receiver.poolAvailable(p.receiverPool)).toBe(8);
  });

  it("keeps interleaved packets apart by packet id", async () => {
    const p = await pair();
    const a = new Uint8Array(700).fill(0xaa);
    const b = new Uint8Array(900).fill(0xbb);
    const framesA = p.send(a);
    const framesB = p.send(b);
    const interleaved = framesB.flatMap((f, i) => [framesA[i], f]).filter((f) => f !== undefined);
    p.deliver(interleaved);
    const got = [p.receiver.pop(p.rx, p.receiverPool)?.payload, p.receiver.pop(p.rx, p.receiverPool)?.payload];
    expect(got).toContainEqual(a);
    expect(got).toContainEqual(b);
  });

  it("evicts the oldest partial packet when every reassembly slot is busy", async () => {
    const p = await pair();
    const firsts = [];
    for (let i = 0; i < 5; i++) firsts.push(p.send(new Uint8Array(600).fill(i))[0]);
    p.deliver(firsts);
    expect(p.receiver.dataLinkCounters(p.rx).droppedReassemblyEvicted).toBe(1);
    expect(p.receiver.poolAvailable(p.receiverPool)).toBe(4);
  });

  it("drops and counts garbage frames, never trapping, and recovers every buffer", async () => {
    const p = await pair();
    const random = new SeededRandom(77);
    for (let i = 0; i < 3000; i++) {
      const frame = random.bytes(random.between(0, 250));
      if (frame.length > 0 && random.below(2) === 0) frame[0] = 0x80 | random.below(64);
      p.receiver.receiveFrame(p.rx, frame);
      if (i % 100 === 0) p.advance(10);
    }
    p.advance(120_000);
    const c = p.receiver.dataLinkCounters(p.rx);
    expect(c.framesReceived).toBe(3000);
    expect(c.droppedGarbage).toBeGreaterThan(1000);
    expect(p.receiver.poolAvailable(p.receiverPool)).toBe(8 - Math.min(8, c.packetsReceived));
    // Whatever random frames formed into "packets" is queued; draining returns every buffer.
    while (p.receiver.pop(p.rx, p.receiverPool)) {}
    expect(p.receiver.poolAvailable(p.receiverPool)).toBe(8);
  });

  it("counts a packet dropped for a full receive queue", async () => {
    const p = await pair({ poolSize: 16 });
    for (let i = 0; i < 10; i++) p.deliver(p.send(new Uint8Array([i])));
    expect(p.receiver.dataLinkCounters(p.rx).droppedReceiveQueueFull).toBe(2);
  });
});
