// The chip models on the LoRa channel: a chip that enters receive while another node's preamble is on
// air tells the channel (RadioMedium.listeningStarted) and, with the frame's last 5 preamble symbols
// still to come, receives it, as an SX126x/SX127x does. A chip that leaves receive (standby, CAD)
// mid-frame has lost that frame, even when it is back in receive before the frame ends.
import { describe, expect, it } from "vitest";
import { LoRaChannel } from "../../../host/sim/channel/lora-channel.js";
import { Sx126xIrq, Sx1262Model } from "../../../host/sim/chips/sx1262-model.js";
import { Sx1276Irq, Sx1276Model, Sx1276Register } from "../../../host/sim/chips/sx1276-model.js";

// SF7/BW125, 8-symbol preamble: the talker's vulnerable window opens 3 symbols (3.072 ms) into its frame.
const VULNERABLE_START = 3_072;
const PAYLOAD = [0x6d, 0x65, 0x73, 0x68, 0x21];

type Send = (...bytes: number[]) => number[];

function commands(model: Sx1262Model): Send {
  return (...bytes) => Array.from(model.spiTransfer(Uint8Array.from(bytes)));
}

/** LoRa at 868.1 MHz, SF7/BW125/CR4/5, preamble 8, explicit header, CRC on, every IRQ on DIO1. */
function configureSx1262(send: Send): void {
  send(0x8a, 0x01);
  send(0x86, 0x36, 0x41, 0x99, 0x9a);
  send(0x8b, 0x07, 0x04, 0x01, 0x00);
  send(0x8c, 0x00, 0x08, 0x00, PAYLOAD.length, 0x01, 0x00);
  send(0x08, 0x03, 0xff, 0x03, 0xff, 0, 0, 0, 0);
}

/** An SX1262 talker at the origin whose frame starts at 0, and a listener 1 km away on a quiet channel. */
function talkerAndChannel() {
  const channel = new LoRaChannel({ environment: "rural", seed: 1, shadowingSigmaDb: 0 });
  const talker = new Sx1262Model(channel, { nodeIndex: 0 });
  channel.attach(talker, { xMetres: 0, yMetres: 0 });
  const talk = commands(talker);
  configureSx1262(talk);
  talk(0x0e, 0x00, ...PAYLOAD);
  const startTalking = () => talk(0x83, 0, 0, 0);
  return { channel, talker, startTalking };
}

function sx1262Listener(channel: LoRaChannel) {
  const listener = new Sx1262Model(channel, { nodeIndex: 1 });
  channel.attach(listener, { xMetres: 1000, yMetres: 0 });
  const listen = commands(listener);
  configureSx1262(listen);
  return { listener, listen };
}

/** An SX1276 1 km from the talker, in LoRa STDBY at 868.1 MHz (its other reset values match the talker). */
function sx1276Listener(channel: LoRaChannel): Sx1276Model {
  const listener = new Sx1276Model(channel, 1);
  channel.attach(listener, { xMetres: 1000, yMetres: 0 });
  const write = (address: number, value: number) => listener.spiTransfer(Uint8Array.of(0x80 | address, value));
  // FSK SLEEP, LoRa SLEEP, LoRa STDBY (LowFrequencyModeOn clear for 868 MHz), then 868.1 MHz.
  for (const opMode of [0x00, 0x80, 0x81]) write(Sx1276Register.OpMode, opMode);
  write(Sx1276Register.FrfMsb, 0xd9);
  write(Sx1276Register.FrfMid, 0x06);
  write(Sx1276Register.FrfLsb, 0x66);
  return listener;
}

/** What the SX1262 holds after RxDone: GetRxBufferStatus, then ReadBuffer from its start. */
function receivedPayload(listen: Send): number[] {
  const [, , length, start] = listen(0x13, 0, 0, 0);
  return listen(0x1e, start, 0, ...new Array<number>(length).fill(0)).slice(3);
}

describe("an SX1262 entering receive while a frame's preamble is on air", () => {
  it("gets RxDone and the frame from SetRx up to the vulnerable window's opening, and nothing after it", () => {
    for (const [setRxAt, receives] of [
      [VULNERABLE_START, true],
      [VULNERABLE_START + 1, false],
    ] as const) {
      const { channel, startTalking } = talkerAndChannel();
      const { listener, listen } = sx1262Listener(channel);
      startTalking();
      channel.schedule(setRxAt, () => listen(0x82, 0xff, 0xff, 0xff));
      channel.engine.runUntil(1e6);
      expect(listener.interruptStatus & Sx126xIrq.RxDone, `SetRx at ${setRxAt} µs`).toBe(
        receives ? Sx126xIrq.RxDone : 0,
      );
      if (receives) expect(receivedPayload(listen)).toEqual(PAYLOAD);
      expect(listener.errors).toEqual([]);
    }
  });

  it("receives the frame after a CAD that detects it and exits to RX (CAD_RX)", () => {
    const { channel, startTalking } = talkerAndChannel();
    const { listener, listen } = sx1262Listener(channel);
    startTalking();
    // 2 symbols (2.048 ms, inside the preamble's first 3), CAD_RX, RX timeout 0x001000 ticks = 64 ms.
    listen(0x88, 0x01, 22, 10, 0x01, 0x00, 0x10, 0x00);
    listen(0xc5);
    channel.engine.runUntil(1e6);
    expect(listener.interruptStatus).toBe(
      Sx126xIrq.CadDone | Sx126xIrq.CadDetected | Sx126xIrq.PreambleDetected | Sx126xIrq.HeaderValid | Sx126xIrq.RxDone,
    );
    expect(receivedPayload(listen)).toEqual(PAYLOAD);
    expect(listener.errors).toEqual([]);
  });
});

describe("an SX1262 that leaves receive while it is receiving a frame", () => {
  const leaveAndReturn: Array<[string, (listen: Send) => void]> = [
    ["SetStandby", (listen) => listen(0x80, 0x00)],
    // 2-symbol CAD_ONLY: back in STDBY_RC with CadDone 2.048 ms later, before SetRx below.
    [
      "SetCad",
      (listen) => {
        listen(0x88, 0x01, 22, 10, 0x00, 0x00, 0x00, 0x00);
        listen(0xc5);
      },
    ],
  ];
  for (const [command, leave] of leaveAndReturn) {
    it(`does not resume the frame after ${command} and SetRx again, and the channel counts it lost`, () => {
      const { channel, startTalking } = talkerAndChannel();
      const { listener, listen } = sx1262Listener(channel);
      listen(0x82, 0xff, 0xff, 0xff);
      startTalking();
      channel.schedule(15_000, () => leave(listen));
      channel.schedule(20_000, () => listen(0x82, 0xff, 0xff, 0xff));
      channel.engine.runUntil(1e6);
      expect(listener.interruptStatus & (Sx126xIrq.RxDone | Sx126xIrq.CrcErr)).toBe(0);
      expect(listener.mode).toBe("rx");
      expect(channel.nodeStatistics(1)).toMatchObject({ framesReceived: 0, lostStoppedListening: 1 });
      expect(listener.errors).toEqual([]);
    });
  }
});

describe("an SX1276 switched to receive in RegOpMode while a frame's preamble is on air", () => {
  it("receives the frame from an SX1262", () => {
    const { channel, startTalking } = talkerAndChannel();
    const listener = sx1276Listener(channel);
    const write = (address: number, value: number) => listener.spiTransfer(Uint8Array.of(0x80 | address, value));
    startTalking();
    channel.schedule(2_000, () => write(Sx1276Register.OpMode, 0x85)); // LoRa RXCONTINUOUS
    channel.engine.runUntil(1e6);
    expect(listener.peek(Sx1276Register.IrqFlags) & Sx1276Irq.RxDone).toBe(Sx1276Irq.RxDone);
    expect(listener.peek(Sx1276Register.RxNbBytes)).toBe(PAYLOAD.length);
    expect(listener.statistics).toMatchObject({ framesReceived: 1, crcErrors: 0, framesMissed: 0 });
    expect(listener.errors).toEqual([]);
  });

  it("loses the frame when it goes to STDBY mid-frame and back to RXCONTINUOUS before the frame ends", () => {
    const { channel, startTalking } = talkerAndChannel();
    const listener = sx1276Listener(channel);
    const write = (address: number, value: number) => listener.spiTransfer(Uint8Array.of(0x80 | address, value));
    write(Sx1276Register.OpMode, 0x85);
    startTalking();
    channel.schedule(15_000, () => write(Sx1276Register.OpMode, 0x81));
    channel.schedule(20_000, () => write(Sx1276Register.OpMode, 0x85));
    channel.engine.runUntil(1e6);
    expect(listener.peek(Sx1276Register.IrqFlags) & Sx1276Irq.RxDone).toBe(0);
    expect(listener.statistics).toMatchObject({ framesReceived: 0, crcErrors: 0 });
    expect(channel.nodeStatistics(1)).toMatchObject({ framesReceived: 0, lostStoppedListening: 1 });
    expect(listener.errors).toEqual([]);
  });
});
