// What the chip models show while a frame is being received, for a driver that must not start a CAD
// over a reception in progress: the SX1262's PreambleDetected / HeaderValid / HeaderErr IRQ flags
// (SX1261/2 §13.3.1, Table 13-29) and the SX1276's live RegModemStat (register table, §4.1.6).
//
// Timeline of the talker's frame (SF7/BW125, 1.024 ms symbols, preamble 8, explicit header, CRC on,
// 5 bytes), starting at 0: the preamble with sync word and delimiter ends at 12.25 symbols (12.544 ms),
// the 8 header symbols at 20.736 ms, the frame at 30.976 ms. A listener in RX from the start detects
// the preamble 2 symbols in (2.048 ms, PREAMBLE_DETECTION_SYMBOLS).
import { describe, expect, it } from "vitest";
import { LoRaChannel } from "../../../host/sim/channel/lora-channel.js";
import { Sx126xIrq, Sx1262Model } from "../../../host/sim/chips/sx1262-model.js";
import { Sx1276Irq, Sx1276Model, Sx1276ModemStatus, Sx1276Register } from "../../../host/sim/chips/sx1276-model.js";
import { LoopbackTestMedium } from "../../../host/sim/chips/test-medium.js";
import type { LoRaReception } from "../../../host/sim/radio-medium.js";

const DETECTED = 2_048;
const PREAMBLE_END = 12_544;
const HEADER_END = 20_736;
const FRAME_END = 30_976;
const PAYLOAD = [0x6d, 0x65, 0x73, 0x68, 0x21];

const { PreambleDetected, HeaderValid, HeaderErr, RxDone, CrcErr } = Sx126xIrq;
const RECEPTION_FLAGS = PreambleDetected | HeaderValid | HeaderErr | RxDone | CrcErr;

type Send = (...bytes: number[]) => number[];

function commands(model: Sx1262Model): Send {
  return (...bytes) => Array.from(model.spiTransfer(Uint8Array.from(bytes)));
}

/**
 * LoRa at 868.1 MHz, SF7/BW125/CR4/5, preamble 8, explicit header, CRC on; IrqMask and DIO1 mask as
 * given (default: every IRQ latches, none reaches DIO1).
 */
function configureSx1262(send: Send, irqMask = 0x03ff, dio1Mask = 0, payloadLength = PAYLOAD.length): void {
  send(0x8a, 0x01);
  send(0x86, 0x36, 0x41, 0x99, 0x9a);
  send(0x8b, 0x07, 0x04, 0x01, 0x00);
  send(0x8c, 0x00, 0x08, 0x00, payloadLength, 0x01, 0x00);
  send(0x08, irqMask >> 8, irqMask & 0xff, dio1Mask >> 8, dio1Mask & 0xff, 0, 0, 0, 0);
}

/** GetIrqStatus (0x12), as a driver reads it. */
function irqStatus(send: Send): number {
  const [, , msb, lsb] = send(0x12, 0, 0, 0);
  return (msb << 8) | lsb;
}

/** A channel with an SX1262 talker at the origin, ready to send PAYLOAD. */
function channelWithTalker() {
  const channel = new LoRaChannel({ environment: "rural", seed: 1, shadowingSigmaDb: 0 });
  const talker = sx1262(channel, 0, 0);
  talker.send(0x0e, 0x00, ...PAYLOAD);
  return { channel, startTalking: () => talker.send(0x83, 0, 0, 0), talker };
}

function sx1262(channel: LoRaChannel, nodeIndex: number, xMetres: number, irqMask?: number, dio1Mask?: number) {
  const model = new Sx1262Model(channel, { nodeIndex });
  channel.attach(model, { xMetres, yMetres: 0 });
  const send = commands(model);
  configureSx1262(send, irqMask, dio1Mask);
  return { model, send };
}

/** Runs the channel to each time and reads what `read` returns there. */
function readAt(channel: LoRaChannel, times: number[], read: () => number): number[] {
  return times.map((time) => {
    channel.engine.runUntil(time);
    return read();
  });
}

describe("the SX1262 model while it receives a frame", () => {
  it("raises PreambleDetected 2 symbols into the preamble and HeaderValid at the header's end, before RxDone", () => {
    const { channel, startTalking } = channelWithTalker();
    const listener = sx1262(channel, 1, 1000);
    listener.send(0x82, 0xff, 0xff, 0xff);
    startTalking();
    const times = [0, DETECTED - 1, DETECTED, HEADER_END - 1, HEADER_END, FRAME_END - 1, FRAME_END];
    const flags = readAt(channel, times, () => irqStatus(listener.send) & RECEPTION_FLAGS);
    expect(flags).toEqual([
      0,
      0,
      PreambleDetected,
      PreambleDetected,
      PreambleDetected | HeaderValid,
      PreambleDetected | HeaderValid,
      PreambleDetected | HeaderValid | RxDone,
    ]);
    expect(listener.model.errors).toEqual([]);
  });

  it("counts the 2 symbols from SetRx when it enters receive mid-preamble", () => {
    const { channel, startTalking } = channelWithTalker();
    const listener = sx1262(channel, 1, 1000);
    startTalking();
    channel.engine.runUntil(3_000);
    listener.send(0x82, 0xff, 0xff, 0xff);
    const flags = readAt(channel, [3_000 + DETECTED - 1, 3_000 + DETECTED], () => irqStatus(listener.send));
    expect(flags).toEqual([0, PreambleDetected]);
  });

  it("sets the flags only when the IrqMask enables them, and ends the frame with RxDone either way", () => {
    // Every IRQ, then RxDone, HeaderErr, CrcErr and Timeout only.
    for (const irqMask of [0x03ff, RxDone | HeaderErr | CrcErr | Sx126xIrq.Timeout]) {
      const { channel, startTalking } = channelWithTalker();
      const listener = sx1262(channel, 1, 1000, irqMask);
      listener.send(0x82, 0xff, 0xff, 0xff);
      startTalking();
      const flags = readAt(channel, [DETECTED, HEADER_END, FRAME_END], () => irqStatus(listener.send));
      const enabled = (irqMask & PreambleDetected) !== 0;
      expect(flags, `IrqMask 0x${irqMask.toString(16)}`).toEqual(
        enabled
          ? [PreambleDetected, PreambleDetected | HeaderValid, PreambleDetected | HeaderValid | RxDone]
          : [0, 0, RxDone],
      );
    }
  });

  it("keeps a cleared flag cleared for the rest of the frame", () => {
    const { channel, startTalking } = channelWithTalker();
    const listener = sx1262(channel, 1, 1000);
    listener.send(0x82, 0xff, 0xff, 0xff);
    startTalking();
    channel.engine.runUntil(5_000);
    listener.send(0x02, PreambleDetected >> 8, PreambleDetected);
    const flags = readAt(channel, [5_000, HEADER_END, FRAME_END], () => irqStatus(listener.send) & RECEPTION_FLAGS);
    expect(flags).toEqual([0, HeaderValid, HeaderValid | RxDone]);
  });

  it("interrupts on time when the flags are routed to DIO1, and not before RxDone when they are not", () => {
    for (const routed of [true, false]) {
      const { channel, startTalking } = channelWithTalker();
      const dio1Mask = RxDone | (routed ? PreambleDetected | HeaderValid : 0);
      const listener = sx1262(channel, 1, 1000, 0x03ff, dio1Mask);
      const interrupts: number[] = [];
      listener.model.onInterrupt = () => {
        interrupts.push(channel.now());
        // The driver reads and clears what it was woken for, so DIO1 falls again.
        const status = irqStatus(listener.send);
        listener.send(0x02, status >> 8, status & 0xff);
      };
      listener.send(0x82, 0xff, 0xff, 0xff);
      startTalking();
      channel.engine.runUntil(1e6);
      expect(interrupts, routed ? "routed" : "not routed").toEqual(
        routed ? [DETECTED, HEADER_END, FRAME_END] : [FRAME_END],
      );
    }
  });

  it("raises HeaderErr at the header's end, and no HeaderValid or RxDone, when a collision breaks the header", () => {
    const { channel, startTalking } = channelWithTalker();
    const listener = sx1262(channel, 1, 1000);
    // As loud as the talker at the listener, 1 km on its other side; it starts during the header.
    const interferer = sx1262(channel, 2, 2000);
    interferer.send(0x0e, 0x00, ...PAYLOAD);
    listener.send(0x82, 0xff, 0xff, 0xff);
    startTalking();
    channel.schedule(PREAMBLE_END + 2_000, () => interferer.send(0x83, 0, 0, 0));
    const flags = readAt(channel, [HEADER_END - 1, HEADER_END, FRAME_END], () => irqStatus(listener.send));
    expect(flags.map((f) => f & RECEPTION_FLAGS)).toEqual([
      PreambleDetected,
      PreambleDetected | HeaderErr,
      PreambleDetected | HeaderErr,
    ]);
    // Both frames are lost to the collision there: the talker's, and the interferer's (rule 6).
    expect(channel.nodeStatistics(1)).toMatchObject({
      framesReceived: 0,
      framesReceivedCorrupted: 0,
      lostToCollision: 2,
    });
  });

  it("raises HeaderErr at the header's end for a frame longer than PayloadLength (§13.4.6.2)", () => {
    const { channel, startTalking } = channelWithTalker();
    const listener = sx1262(channel, 1, 1000);
    listener.send(0x8c, 0x00, 0x08, 0x00, PAYLOAD.length - 1, 0x01, 0x00);
    listener.send(0x82, 0xff, 0xff, 0xff);
    startTalking();
    const flags = readAt(channel, [HEADER_END - 1, HEADER_END, FRAME_END], () => irqStatus(listener.send));
    expect(flags.map((f) => f & RECEPTION_FLAGS)).toEqual([
      PreambleDetected,
      PreambleDetected | HeaderErr,
      PreambleDetected | HeaderErr,
    ]);
  });

  it("raises nothing more for a frame it abandoned by leaving receive", () => {
    const { channel, startTalking } = channelWithTalker();
    const listener = sx1262(channel, 1, 1000);
    listener.send(0x82, 0xff, 0xff, 0xff);
    startTalking();
    channel.schedule(5_000, () => listener.send(0x80, 0x00));
    channel.schedule(8_000, () => listener.send(0x82, 0xff, 0xff, 0xff));
    const flags = readAt(channel, [5_000, HEADER_END, 1e6], () => irqStatus(listener.send) & RECEPTION_FLAGS);
    // PreambleDetected was raised at 2.048 ms, before the standby; the frame was past its last 5
    // preamble symbols at 8 ms, so the chip back in RX does not lock onto it again.
    expect(flags).toEqual([PreambleDetected, PreambleDetected, PreambleDetected]);
  });

  it("gets the same flags on the loopback test medium", () => {
    const medium = new LoopbackTestMedium();
    const listener = new Sx1262Model(medium, { nodeIndex: 0 });
    const talker = new Sx1262Model(medium, { nodeIndex: 1 });
    medium.attach(listener);
    medium.attach(talker);
    const listen = commands(listener);
    const talk = commands(talker);
    configureSx1262(listen);
    configureSx1262(talk);
    talk(0x0e, 0x00, ...PAYLOAD);
    listen(0x82, 0xff, 0xff, 0xff);
    talk(0x83, 0, 0, 0);
    const flags = [DETECTED - 1, DETECTED, HEADER_END, 1e6].map((time) => {
      medium.runUntil(time);
      return irqStatus(listen) & RECEPTION_FLAGS;
    });
    expect(flags).toEqual([
      0,
      PreambleDetected,
      PreambleDetected | HeaderValid,
      PreambleDetected | HeaderValid | RxDone,
    ]);
  });
});

/** An SX1276 1 km from the talker, in LoRa RXCONTINUOUS at 868.1 MHz (its other reset values match the talker). */
function sx1276Listener(channel: LoRaChannel, xMetres = 1000) {
  const model = new Sx1276Model(channel, 1);
  channel.attach(model, { xMetres, yMetres: 0 });
  const write = (address: number, value: number) => model.spiTransfer(Uint8Array.of(0x80 | address, value));
  const read = (address: number) => model.spiTransfer(Uint8Array.of(address, 0))[1];
  // FSK SLEEP, LoRa SLEEP, LoRa STDBY (LowFrequencyModeOn clear for 868 MHz), then 868.1 MHz.
  for (const opMode of [0x00, 0x80, 0x81]) write(Sx1276Register.OpMode, opMode);
  write(Sx1276Register.FrfMsb, 0xd9);
  write(Sx1276Register.FrfMid, 0x06);
  write(Sx1276Register.FrfLsb, 0x66);
  write(Sx1276Register.OpMode, 0x85);
  return { model, write, read };
}

const CLEAR = Sx1276ModemStatus.ModemClear;
const RECEIVING = Sx1276ModemStatus.SignalDetected | Sx1276ModemStatus.SignalSynchronized | Sx1276ModemStatus.RxOnGoing;
/** RxCodingRate (bits 7–5) after a CR 4/5 header. */
const CODING_RATE_4_5 = 1 << 5;

describe("the SX1276 model's RegModemStat while it receives a frame", () => {
  it("is clear, then signal detected/synchronized/RX on-going, then header info valid, then clear again", () => {
    const { channel, startTalking } = channelWithTalker();
    const listener = sx1276Listener(channel);
    startTalking();
    const times = [0, DETECTED - 1, DETECTED, HEADER_END - 1, HEADER_END, FRAME_END - 1, FRAME_END];
    const status = readAt(channel, times, () => listener.read(Sx1276Register.ModemStat));
    expect(status).toEqual([
      CLEAR,
      CLEAR,
      RECEIVING,
      RECEIVING,
      CODING_RATE_4_5 | RECEIVING | Sx1276ModemStatus.HeaderInfoValid,
      CODING_RATE_4_5 | RECEIVING | Sx1276ModemStatus.HeaderInfoValid,
      CODING_RATE_4_5 | CLEAR,
    ]);
    expect(listener.model.peek(Sx1276Register.IrqFlags) & Sx1276Irq.RxDone).toBe(Sx1276Irq.RxDone);
    expect(listener.model.errors).toEqual([]);
  });

  it("raises ValidHeader and counts the header at the header's end, once", () => {
    const { channel, startTalking } = channelWithTalker();
    const listener = sx1276Listener(channel);
    startTalking();
    const headerFlagsAndCount = () =>
      (listener.read(Sx1276Register.IrqFlags) & (Sx1276Irq.ValidHeader | Sx1276Irq.RxDone)) * 256 +
      listener.read(Sx1276Register.RxHeaderCountLsb);
    const seen = readAt(channel, [HEADER_END - 1, HEADER_END, FRAME_END], headerFlagsAndCount);
    expect(seen).toEqual([0, Sx1276Irq.ValidHeader * 256 + 1, (Sx1276Irq.ValidHeader | Sx1276Irq.RxDone) * 256 + 1]);
  });

  it("counts from the switch to RX when it enters receive mid-preamble", () => {
    const { channel, startTalking } = channelWithTalker();
    const listener = sx1276Listener(channel);
    listener.write(Sx1276Register.OpMode, 0x81);
    startTalking();
    channel.engine.runUntil(2_000);
    listener.write(Sx1276Register.OpMode, 0x85);
    const status = readAt(channel, [2_000 + DETECTED - 1, 2_000 + DETECTED], () =>
      listener.read(Sx1276Register.ModemStat),
    );
    expect(status).toEqual([CLEAR, RECEIVING]);
  });

  it("is clear again at once when it leaves receive mid-frame", () => {
    const { channel, startTalking } = channelWithTalker();
    const listener = sx1276Listener(channel);
    startTalking();
    channel.schedule(15_000, () => listener.write(Sx1276Register.OpMode, 0x81));
    const status = readAt(channel, [15_000 - 1, 15_000, HEADER_END], () => listener.read(Sx1276Register.ModemStat));
    expect(status).toEqual([RECEIVING, CLEAR, CLEAR]);
  });

  it("is clear from the header's end when a collision breaks the header, with no ValidHeader", () => {
    const { channel, startTalking } = channelWithTalker();
    const listener = sx1276Listener(channel);
    const interferer = sx1262(channel, 2, 2000);
    interferer.send(0x0e, 0x00, ...PAYLOAD);
    startTalking();
    channel.schedule(PREAMBLE_END + 2_000, () => interferer.send(0x83, 0, 0, 0));
    const status = readAt(channel, [HEADER_END - 1, HEADER_END], () => listener.read(Sx1276Register.ModemStat));
    expect(status).toEqual([RECEIVING, CLEAR]);
    channel.engine.runUntil(1e6);
    expect(listener.read(Sx1276Register.IrqFlags) & (Sx1276Irq.ValidHeader | Sx1276Irq.RxDone)).toBe(0);
  });
});

describe("the channel's reception notifications", () => {
  /** A port that records what the medium tells it, in RX with the talker's modulation. */
  function recordingSx1262(channel: LoRaChannel) {
    const { model, send } = sx1262(channel, 1, 1000);
    const events: string[] = [];
    let current: LoRaReception | undefined;
    const started = model.receptionStarted.bind(model);
    const ended = model.receptionEnded.bind(model);
    model.receptionStarted = (reception) => {
      current = reception;
      events.push(`started ${channel.now()}`);
      started(reception);
    };
    model.receptionEnded = (reception) => {
      events.push(`ended ${channel.now()}`);
      ended(reception);
    };
    return { model, send, events, reception: () => current };
  }

  it("describe the frame's timing when the port locks on, and end a reception lost to a collision", () => {
    const { channel, startTalking } = channelWithTalker();
    const listener = recordingSx1262(channel);
    listener.send(0x82, 0xff, 0xff, 0xff);
    const interferer = sx1262(channel, 2, 2000);
    interferer.send(0x0e, 0x00, ...PAYLOAD);
    startTalking();
    channel.schedule(PREAMBLE_END + 2_000, () => interferer.send(0x83, 0, 0, 0));
    channel.engine.runUntil(HEADER_END);
    expect(listener.reception()).toMatchObject({
      payloadBytes: PAYLOAD.length,
      startMicroseconds: 0,
      preambleEndMicroseconds: PREAMBLE_END,
      headerEndMicroseconds: HEADER_END,
      endMicroseconds: FRAME_END,
    });
    expect(listener.reception()?.headerIntact()).toBe(false);
    channel.engine.runUntil(1e6);
    // The interferer's own frame, which began past the point where the listener could lock onto it, is
    // not offered; the talker's reception ends, lost, at its end.
    expect(listener.events).toEqual(["started 0", `ended ${FRAME_END}`]);
  });
});
