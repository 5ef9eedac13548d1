// The host end of the QEMU board's bus tunnel: every op answered from the chip model, the entropy
// source and key storage; every malformed request answered with an error status and its seq.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileKeyStorage, KeyStorageError, MemoryKeyStorage } from "../../host/native/key-storage.js";
import { BusOp, BusStatus, encodeBusRequest, parseBusReply, TunnelType } from "../../host/native/tunnel-protocol.js";
import { TunnelServer } from "../../host/native/tunnel-server.js";
import { encodeFrame, MAX_FRAME_PAYLOAD } from "../../host/serial/frame-codec.js";
import { Sx1262Model } from "../../host/sim/chips/sx1262-model.js";
import { type BusDevice, Pin } from "../../host/sim/radio-medium.js";
import { SharedAir } from "../../host/vboard/shared-air.js";
import { SeededRandom } from "../support/seeded-random.js";
import { temporaryDirectory } from "../support/temporary-directory.js";

/** A device that records what it is asked and answers with fixed patterns. */
class RecordingDevice implements BusDevice {
  readonly calls: string[] = [];
  irq = 0;
  failNext = false;
  onInterrupt?: () => void;

  spiTransfer(tx: Uint8Array): Uint8Array {
    if (this.failNext) throw new Error("chip on fire");
    this.calls.push(`spi ${Buffer.from(tx).toString("hex")}`);
    return tx.map((byte) => byte ^ 0xff);
  }
  gpioWrite(pin: number, level: number): void {
    this.calls.push(`write ${pin}=${level}`);
    if (pin === 9) this.irq = level; // a test hook: "pin 9" moves the IRQ line
  }
  gpioRead(pin: number): number {
    return pin === Pin.Irq ? this.irq : pin;
  }
  delayMicroseconds(microseconds: number): void {
    this.calls.push(`delay ${microseconds}`);
  }
  raiseIrq(): void {
    this.irq = 1;
    this.onInterrupt?.();
  }
}

function harness() {
  const device = new RecordingDevice();
  const sent: Uint8Array[] = [];
  const storage = new MemoryKeyStorage();
  let caughtUp = 0;
  const server = new TunnelServer({
    devices: new Map([[0, device]]),
    storage,
    send: (payload) => sent.push(payload),
    beforeRequest: () => caughtUp++,
    entropy: (count) => new Uint8Array(count).fill(0x5a),
  });
  const ask = (seq: number, op: number, data: number[] | Uint8Array = []) => {
    const before = sent.length;
    server.handle(encodeBusRequest(seq, op, Uint8Array.from(data)));
    return sent.slice(before);
  };
  const reply = (seq: number, op: number, data: number[] | Uint8Array = []) => {
    const answers = ask(seq, op, data);
    const parsed = parseBusReply(answers[0]);
    if (!parsed) throw new Error("first answer is not a BusReply");
    return parsed;
  };
  return { device, sent, storage, server, ask, reply, caughtUp: () => caughtUp };
}

describe("the tunnel server answers each op", () => {
  it("01 SPI transfer: the device's MISO bytes, as many as were sent", () => {
    const t = harness();
    const answer = t.reply(7, BusOp.SpiTransfer, [0, 0xc0, 0x00, 0x12]);
    expect(answer).toEqual({ seq: 7, status: BusStatus.Ok, data: Uint8Array.of(0x3f, 0xff, 0xed) });
    expect(t.device.calls).toEqual(["spi c00012"]);
  });

  it("02 GPIO write and 03 GPIO read reach the device's pins", () => {
    const t = harness();
    expect(t.reply(1, BusOp.GpioWrite, [0, Pin.Reset, 1])).toEqual({ seq: 1, status: 0, data: new Uint8Array(0) });
    expect(t.device.calls).toEqual([`write ${Pin.Reset}=1`]);
    expect(t.reply(2, BusOp.GpioRead, [0, Pin.Busy]).data).toEqual(Uint8Array.of(1));
    expect(t.reply(3, BusOp.GpioRead, [0, Pin.Irq]).data).toEqual(Uint8Array.of(0));
  });

  it("04 delay: microseconds as u32 little-endian, given to the device's clock", () => {
    const t = harness();
    expect(t.reply(4, BusOp.Delay, [0, 0x10, 0x27, 0x00, 0x00]).status).toBe(BusStatus.Ok);
    expect(t.reply(5, BusOp.Delay, [0, 0xff, 0xff, 0xff, 0xff]).status).toBe(BusStatus.Ok);
    expect(t.device.calls).toEqual(["delay 10000", "delay 4294967295"]);
  });

  it("05 entropy: exactly the bytes asked for", () => {
    const t = harness();
    expect(t.reply(6, BusOp.Entropy, [32]).data).toEqual(new Uint8Array(32).fill(0x5a));
    expect(t.reply(7, BusOp.Entropy, [0]).data).toEqual(new Uint8Array(0));
  });

  it("05 entropy from crypto.randomBytes by default", () => {
    const sent: Uint8Array[] = [];
    const server = new TunnelServer({ devices: new Map(), storage: new MemoryKeyStorage(), send: (p) => sent.push(p) });
    server.handle(encodeBusRequest(1, BusOp.Entropy, Uint8Array.of(255)));
    server.handle(encodeBusRequest(2, BusOp.Entropy, Uint8Array.of(255)));
    const [a, b] = sent.map((p) => parseBusReply(p)!.data);
    expect(a).toHaveLength(255);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).not.toBe(0);
  });

  it("06 storage read and 07 storage write: empty until written, then the bytes", () => {
    const t = harness();
    expect(t.reply(1, BusOp.StorageRead, [0])).toEqual({ seq: 1, status: 0, data: new Uint8Array(0) });
    const seed = new Uint8Array(32).map((_, i) => i);
    expect(t.reply(2, BusOp.StorageWrite, [0, ...seed]).status).toBe(BusStatus.Ok);
    expect(t.reply(3, BusOp.StorageRead, [0]).data).toEqual(seed);
    expect(t.reply(4, BusOp.StorageRead, [1]).data).toEqual(new Uint8Array(0));
    // Writing nothing erases the slot.
    t.reply(5, BusOp.StorageWrite, [0]);
    expect(t.reply(6, BusOp.StorageRead, [0]).data).toEqual(new Uint8Array(0));
  });

  it("brings the air up to date before every request", () => {
    const t = harness();
    t.reply(1, BusOp.GpioRead, [0, 1]);
    t.reply(2, BusOp.Entropy, [1]);
    expect(t.caughtUp()).toBe(2);
  });
});

describe("the tunnel server tells the board about its radio's IRQ line", () => {
  it("sends BusInterrupt when the line rises between requests", () => {
    const t = harness();
    t.device.raiseIrq();
    expect(t.sent).toEqual([Uint8Array.of(TunnelType.BusInterrupt, Pin.Irq, 1)]);
  });

  it("sends BusInterrupt after the reply when a request lowered the line, and only on a change", () => {
    const t = harness();
    t.device.raiseIrq();
    const answers = t.ask(3, BusOp.GpioWrite, [0, 9, 0]);
    expect(answers).toHaveLength(2);
    expect(parseBusReply(answers[0])?.seq).toBe(3);
    expect(answers[1]).toEqual(Uint8Array.of(TunnelType.BusInterrupt, Pin.Irq, 0));
    expect(t.ask(4, BusOp.GpioRead, [0, Pin.Irq])).toHaveLength(1);
    expect(t.server.counters.interrupts).toBe(2);
  });

  it("stops listening once detached", () => {
    const t = harness();
    t.server.detach();
    t.device.raiseIrq();
    expect(t.sent).toEqual([]);
  });

  it("follows a real SX1262 model on the shared air", () => {
    const air = new SharedAir();
    const chip = new Sx1262Model(air.channel, { nodeIndex: air.allocateNode(), boardTcxoMillivolts: 1800 });
    air.channel.attach(chip, { xMetres: 0, yMetres: 0 });
    const sent: Uint8Array[] = [];
    const server = new TunnelServer({
      devices: new Map([[0, chip]]),
      storage: new MemoryKeyStorage(),
      send: (p) => sent.push(p),
      beforeRequest: () => air.catchUp(),
    });
    // GetStatus (0xC0): the model answers with its status byte in standby (STDBY_RC, mode 2 << 4).
    server.handle(encodeBusRequest(1, BusOp.SpiTransfer, Uint8Array.of(0, 0xc0, 0x00)));
    const status = parseBusReply(sent[0]);
    expect(status?.status).toBe(BusStatus.Ok);
    expect((status!.data[1] >> 4) & 0x7).toBe(2);
    expect(chip.errors).toEqual([]);
  });
});

describe("the tunnel server refuses bad requests with an error status and never throws", () => {
  const cases: [string, Uint8Array, number, number][] = [
    ["a request without seq or op", Uint8Array.of(0x50), 0, BusStatus.Malformed],
    ["a request without an op", Uint8Array.of(0x50, 9), 9, BusStatus.Malformed],
    ["an unknown op", encodeBusRequest(10, 0x99), 10, BusStatus.UnknownOp],
    ["op 0", encodeBusRequest(11, 0x00), 11, BusStatus.UnknownOp],
    ["SPI without a bus", encodeBusRequest(12, BusOp.SpiTransfer), 12, BusStatus.Malformed],
    ["GPIO write too short", encodeBusRequest(13, BusOp.GpioWrite, Uint8Array.of(0, 1)), 13, BusStatus.Malformed],
    ["GPIO read too long", encodeBusRequest(14, BusOp.GpioRead, Uint8Array.of(0, 1, 2)), 14, BusStatus.Malformed],
    [
      "delay without all four bytes",
      encodeBusRequest(15, BusOp.Delay, Uint8Array.of(0, 1, 2)),
      15,
      BusStatus.Malformed,
    ],
    ["entropy without a count", encodeBusRequest(16, BusOp.Entropy), 16, BusStatus.Malformed],
    ["storage read without a slot", encodeBusRequest(17, BusOp.StorageRead), 17, BusStatus.Malformed],
    ["storage write without a slot", encodeBusRequest(18, BusOp.StorageWrite), 18, BusStatus.Malformed],
    [
      "SPI on a bus with no radio",
      encodeBusRequest(19, BusOp.SpiTransfer, Uint8Array.of(3, 0xc0)),
      19,
      BusStatus.NoDevice,
    ],
    ["GPIO on a bus with no radio", encodeBusRequest(20, BusOp.GpioRead, Uint8Array.of(1, 2)), 20, BusStatus.NoDevice],
  ];
  for (const [name, payload, seq, status] of cases) {
    it(`${name}: status ${status}, seq ${seq}`, () => {
      const t = harness();
      t.server.handle(payload);
      expect(t.sent).toHaveLength(1);
      expect(parseBusReply(t.sent[0])).toEqual({ seq, status, data: new Uint8Array(0) });
      expect(t.server.counters.refused).toBe(1);
    });
  }

  it("a device that throws: status Failed, and the next request is served", () => {
    const t = harness();
    t.device.failNext = true;
    expect(t.reply(1, BusOp.SpiTransfer, [0, 0xc0]).status).toBe(BusStatus.Failed);
    t.device.failNext = false;
    expect(t.reply(2, BusOp.SpiTransfer, [0, 0xc0]).status).toBe(BusStatus.Ok);
  });

  it("the largest SPI transfer a frame carries is answered in a frame", () => {
    const t = harness();
    const mosi = new Uint8Array(MAX_FRAME_PAYLOAD - 4).fill(0x11);
    const answers = t.ask(1, BusOp.SpiTransfer, [0, ...mosi]);
    expect(parseBusReply(answers[0])?.data).toHaveLength(mosi.length);
    expect(() => encodeFrame(answers[0])).not.toThrow();
  });

  it("answers every random request exactly once with its seq, in a frame (fuzz)", () => {
    const t = harness();
    const random = new SeededRandom(6);
    for (let i = 0; i < 5000; i++) {
      const length = random.between(1, 24);
      const payload = random.bytes(length);
      payload[0] = TunnelType.BusRequest;
      // Mostly known ops, so the fuzz reaches their length checks and the device.
      if (length > 2 && random.below(4) > 0) payload[2] = random.between(1, 7);
      if (length > 3 && random.below(2) === 0) payload[3] = 0;
      const before = t.sent.length;
      expect(() => t.server.handle(payload)).not.toThrow();
      const answers = t.sent.slice(before).filter((p) => p[0] === TunnelType.BusReply);
      expect(answers).toHaveLength(1);
      expect(answers[0][1]).toBe(length > 1 ? payload[1] : 0);
      expect(() => encodeFrame(answers[0])).not.toThrow();
    }
    expect(t.server.counters.requests).toBe(5000);
  });
});

describe("key storage in a file", () => {
  it("keeps slots across reopening, as a board's identity survives reboots", () => {
    const path = join(temporaryDirectory("meshstack-keys-"), "board.json");
    const first = new FileKeyStorage(path);
    expect(first.read(0)).toEqual(new Uint8Array(0));
    first.write(0, Uint8Array.of(1, 2, 3));
    first.write(1, Uint8Array.of(0, 0, 14));
    const second = new FileKeyStorage(path);
    expect(second.read(0)).toEqual(Uint8Array.of(1, 2, 3));
    expect(second.read(1)).toEqual(Uint8Array.of(0, 0, 14));
    expect(JSON.parse(readFileSync(path, "utf8")).slots["0"]).toBe("010203");
  });

  it("refuses a file that is not key storage with one line", () => {
    const path = join(temporaryDirectory("meshstack-keys-"), "flash.bin");
    writeFileSync(path, Buffer.from([0xff, 0xff, 0x00]));
    expect(() => new FileKeyStorage(path)).toThrow(KeyStorageError);
  });
});
