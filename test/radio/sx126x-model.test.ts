// The SX1262 chip model on its own, driven byte by byte: what it accepts, what it flags, and the chip
// behaviour (BUSY, reset, sleep, IRQ masks, timeouts, CAD exit modes) drivers rely on.
import { describe, expect, it } from "vitest";
import { Sx126xIrq, Sx1262Model } from "../../host/sim/chips/sx1262-model.js";
import { LoopbackTestMedium } from "../../host/sim/chips/test-medium.js";
import { Pin } from "../../host/sim/radio-medium.js";

function chip(options: ConstructorParameters<typeof Sx1262Model>[1] = {}) {
  const medium = new LoopbackTestMedium();
  const model = new Sx1262Model(medium, options);
  medium.attach(model);
  const send = (...bytes: number[]) => Array.from(model.spiTransfer(Uint8Array.from(bytes)));
  return { medium, model, send };
}

/** LoRa at 868.1 MHz, SF7/BW125/CR4/5, preamble 8, every IRQ on DIO1. */
function configureLoRa(send: (...bytes: number[]) => number[]): void {
  send(0x8a, 0x01);
  send(0x86, 0x36, 0x41, 0x99, 0x9a);
  send(0x8b, 0x07, 0x04, 0x01, 0x00);
  send(0x8c, 0x00, 0x08, 0x00, 0xff, 0x01, 0x00);
  send(0x08, 0x03, 0xff, 0x03, 0xff, 0, 0, 0, 0);
}

/**
 * A listener (node 0) and a talker (node 1) on one loopback medium, both configured as configureLoRa,
 * the talker holding `payload` with a PayloadLength to match (SetPacketParams), not yet sending.
 */
function loRaPair(payload: number[]) {
  const medium = new LoopbackTestMedium();
  const listener = new Sx1262Model(medium, { nodeIndex: 0 });
  const talker = new Sx1262Model(medium, { nodeIndex: 1 });
  medium.attach(listener);
  medium.attach(talker);
  const listen = (...bytes: number[]) => Array.from(listener.spiTransfer(Uint8Array.from(bytes)));
  const talk = (...bytes: number[]) => Array.from(talker.spiTransfer(Uint8Array.from(bytes)));
  configureLoRa(listen);
  configureLoRa(talk);
  talk(0x0e, 0x00, ...payload);
  talk(0x8c, 0x00, 0x08, 0x00, payload.length, 0x01, 0x00);
  return { medium, listener, talker, listen, talk };
}

describe("the SX1262 model's command interface", () => {
  it("answers the status byte on every non-data byte", () => {
    const { model, send } = chip();
    expect(send(0xc0, 0x00)).toEqual([0x20, 0x20]); // STDBY_RC, no command status
    expect(send(0x1d, 0x07, 0x40, 0x00, 0x00, 0x00)).toEqual([0x20, 0x20, 0x20, 0x20, 0x14, 0x24]);
    expect(model.errors).toEqual([]);
  });

  it("flags unknown opcodes and wrong lengths, and shows a processing error until a command succeeds", () => {
    const { model, send } = chip();
    send(0x55);
    send(0x80);
    send(0x86, 0x01, 0x02);
    expect(model.errors).toEqual([
      "unknown opcode 0x55",
      "SetStandby: 0 parameter bytes, expected 1",
      "SetRfFrequency: 2 parameter bytes, expected 4",
    ]);
    expect(send(0xc0, 0x00)[1]).toBe(0x28); // STDBY_RC (0x2 << 4) | processing error (0x4 << 1)
    send(0x80, 0x00);
    expect(send(0xc0, 0x00)[1]).toBe(0x20);
  });

  it("flags out-of-range parameters the way GetDeviceErrors-level checks would", () => {
    const { model, send } = chip();
    send(0x95, 0x04, 0x07, 0x01, 0x01); // SX1261 PA on an SX1262
    send(0x8e, 0x17, 0x04); // +23 dBm
    send(0x86, 0x04, 0x00, 0x00, 0x00); // 64 MHz
    send(0x8a, 0x01);
    send(0x8b, 0x0d, 0x04, 0x01, 0x00); // SF13
    expect(model.errors).toHaveLength(4);
    expect(model.errors[0]).toMatch(/deviceSel 1/);
  });

  it("refuses frequency, modulation and packet parameters outside standby with an execution failure", () => {
    const { model, send } = chip();
    configureLoRa(send);
    const before = model.modulation();
    send(0x82, 0xff, 0xff, 0xff); // continuous RX
    send(0x86, 0x36, 0x51, 0x99, 0x9a); // 869.1 MHz
    send(0x8b, 0x09, 0x04, 0x01, 0x00); // SF9
    send(0x8c, 0x00, 0x10, 0x00, 0xff, 0x01, 0x00); // preamble 16
    expect(model.errors).toEqual([
      "SetRfFrequency outside standby",
      "SetModulationParams outside standby",
      "SetPacketParams outside standby",
    ]);
    expect(send(0xc0, 0x00)[1]).toBe(0x5a); // RX (0x5 << 4) | execution failure (0x5 << 1)
    expect(model.modulation()).toEqual(before);
    // In standby the same commands take effect, and clear the failure from the status.
    send(0x80, 0x00);
    send(0x86, 0x36, 0x51, 0x99, 0x9a);
    send(0x8b, 0x09, 0x04, 0x01, 0x00);
    send(0x8c, 0x00, 0x10, 0x00, 0xff, 0x01, 0x00);
    expect(model.errors).toHaveLength(3);
    expect(send(0xc0, 0x00)[1]).toBe(0x20);
    expect(model.modulation()).toMatchObject({ frequencyHz: 869_100_000, spreadingFactor: 9, preambleLength: 16 });
  });

  it("ignores and flags a command sent while BUSY is high after reset, and during reset", () => {
    const { model, send } = chip();
    model.gpioWrite(Pin.Reset, 0);
    expect(model.gpioRead(Pin.Busy)).toBe(1);
    send(0xc0, 0x00);
    model.delayMicroseconds(200);
    model.gpioWrite(Pin.Reset, 1);
    expect(model.gpioRead(Pin.Busy)).toBe(1);
    send(0x8a, 0x01);
    expect(model.errors).toEqual([
      "GetStatus sent while NRESET is low",
      "SetPacketType sent while BUSY is high (ignored)",
    ]);
    model.delayMicroseconds(3_500);
    expect(model.gpioRead(Pin.Busy)).toBe(0);
    expect(send(0x11, 0x00, 0x00)[2]).toBe(0x00); // still GFSK: the command was ignored
  });

  it("restores the reset state on NRESET, sync word included", () => {
    const { model, send } = chip();
    send(0x0d, 0x07, 0x40, 0x34, 0x44);
    send(0x8a, 0x01);
    model.gpioWrite(Pin.Reset, 0);
    model.gpioWrite(Pin.Reset, 1);
    model.delayMicroseconds(10_000);
    expect(send(0x1d, 0x07, 0x40, 0x00, 0x00, 0x00).slice(4)).toEqual([0x14, 0x24]);
    expect(send(0x11, 0x00, 0x00)[2]).toBe(0x00);
  });

  it("writes and reads consecutive registers, and wraps buffer offsets at 256", () => {
    const { model, send } = chip();
    send(0x0d, 0x08, 0x00, 1, 2, 3);
    expect(send(0x1d, 0x08, 0x01, 0x00, 0x00, 0x00).slice(4)).toEqual([2, 3]);
    send(0x0e, 0xfe, 0xa, 0xb, 0xc);
    expect(send(0x1e, 0xff, 0x00, 0x00, 0x00).slice(3)).toEqual([0xb, 0xc]);
    expect(send(0x1e, 0x00, 0x00, 0x00).slice(3)).toEqual([0xc]);
    expect(model.register(0x0802)).toBe(3);
  });

  it("refuses to transmit in GFSK (the model is LoRa only)", () => {
    const { model, send } = chip();
    send(0x83, 0, 0, 0);
    expect(model.errors).toEqual(["SetTx with packet type GFSK (the model handles LoRa only)"]);
    expect(send(0xc0, 0x00)[1]).toBe(0x2a); // failure to execute (0x5 << 1)
    expect(model.mode).toBe("standbyRc");
  });

  it("checks the oscillator set-up of a TCXO board like the chip does", () => {
    const { model, send } = chip({ boardTcxoMillivolts: 1800 });
    expect(send(0x17, 0, 0, 0).slice(2)).toEqual([0x00, 0x20]); // XOSC_START_ERR from power-on
    send(0x07, 0, 0);
    send(0x89, 0x7f); // calibrating without DIO3 powering the TCXO fails again
    expect(model.gpioRead(Pin.Busy)).toBe(1); // calibration takes about 3.5 ms
    model.delayMicroseconds(3_500);
    expect(send(0x17, 0, 0, 0).slice(2)).toEqual([0x00, 0x20]);
    send(0x07, 0, 0);
    send(0x97, 0x02, 0x00, 0x01, 0x40); // TCXO at 1.8 V, 5 ms
    send(0x89, 0x7f);
    model.delayMicroseconds(3_500);
    expect(model.gpioRead(Pin.Busy)).toBe(1); // … plus the TCXO start-up delay
    model.delayMicroseconds(5_000);
    expect(send(0x17, 0, 0, 0).slice(2)).toEqual([0x00, 0x00]);
    expect(model.errors).toEqual([]);
  });
});

describe("the SX1262 model's radio behaviour", () => {
  it("latches only unmasked IRQs, raises DIO1 only for its mask, and announces the rising edge", () => {
    const { medium, model, send } = chip();
    configureLoRa(send);
    let interrupts = 0;
    model.onInterrupt = () => interrupts++;
    send(0x08, 0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0); // TxDone latches, DIO1 mapped to nothing
    send(0x0e, 0x00, 42);
    send(0x8c, 0x00, 0x08, 0x00, 0x01, 0x01, 0x00);
    send(0x83, 0, 0, 0);
    expect(model.mode).toBe("tx");
    medium.runUntilIdle();
    expect(model.interruptStatus).toBe(Sx126xIrq.TxDone);
    expect(model.gpioRead(Pin.Irq)).toBe(0);
    expect(interrupts).toBe(0);
    send(0x08, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0);
    expect(model.gpioRead(Pin.Irq)).toBe(1);
    send(0x02, 0x00, 0x01);
    expect(model.interruptStatus).toBe(0);
    send(0x83, 0, 0, 0);
    medium.runUntilIdle();
    expect(interrupts).toBe(1);
    expect(send(0xc0, 0x00)[1]).toBe(0x2c); // STDBY_RC, TX done (0x6 << 1)
  });

  it("times out a transmission that outlasts its SetTx timeout, and ignores its late end", () => {
    const { medium, model, send } = chip();
    configureLoRa(send);
    send(0x0e, 0x00, ...new Array(50).fill(1));
    send(0x8c, 0x00, 0x08, 0x00, 50, 0x01, 0x00);
    send(0x83, 0x00, 0x00, 0x40); // 64 ticks = 1 ms, far shorter than the ~100 ms frame
    medium.runUntilIdle();
    expect(model.interruptStatus).toBe(Sx126xIrq.Timeout);
    expect(model.mode).toBe("standbyRc");
    expect(model.errors).toEqual([]);
  });

  it("times out a single reception, while continuous reception never does", () => {
    const { medium, model, send } = chip();
    configureLoRa(send);
    send(0x82, 0x00, 0x01, 0x00); // 256 ticks = 4 ms
    medium.runUntilIdle();
    expect(medium.now()).toBe(4_000);
    expect(model.interruptStatus).toBe(Sx126xIrq.Timeout);
    expect(model.mode).toBe("standbyRc");
    send(0x82, 0xff, 0xff, 0xff);
    expect(medium.pendingEvents()).toBe(0);
    expect(model.mode).toBe("rx");
  });

  it("rejects a frame longer than the explicit-header PayloadLength with a header error", () => {
    const { model, send } = chip();
    configureLoRa(send);
    send(0x8c, 0x00, 0x08, 0x00, 0x04, 0x01, 0x00);
    send(0x82, 0xff, 0xff, 0xff);
    model.deliver(new Uint8Array(5), -80, 5, true);
    expect(model.interruptStatus).toBe(Sx126xIrq.HeaderErr);
    model.deliver(new Uint8Array(4), -80, 5, true);
    expect(model.interruptStatus & Sx126xIrq.RxDone).toBe(Sx126xIrq.RxDone);
  });

  it("stays in receive after a CAD detection with the CAD_RX exit mode", () => {
    const { medium, listener, listen, talk } = loRaPair(new Array(20).fill(3));
    talk(0x83, 0, 0, 0);
    // 4 symbols, peak 22, min 10, CAD_RX, timeout 0x000400 ticks = 16 ms.
    listen(0x88, 0x02, 22, 10, 0x01, 0x00, 0x04, 0x00);
    listen(0xc5);
    medium.runFor(4_096);
    expect(listener.interruptStatus).toBe(Sx126xIrq.CadDone | Sx126xIrq.CadDetected);
    expect(listener.mode).toBe("rx");
    expect(listener.errors).toEqual([]);
  });

  it("receives a frame whose preamble began before SetRx, if its last 5 preamble symbols are still to come", () => {
    // SF7/BW125, preamble 8: 1.024 ms symbols, so the last 5 begin 3.072 ms into the frame.
    for (const [setRxAt, receives] of [
      [3_072, true],
      [3_073, false],
    ] as const) {
      const { medium, listener, listen, talk } = loRaPair([7, 7, 7]);
      talk(0x83, 0, 0, 0);
      medium.runUntil(setRxAt);
      listen(0x82, 0xff, 0xff, 0xff);
      medium.runUntilIdle();
      // Masked: the detection flags (PreambleDetected, HeaderValid) have tests of their own (test/sim/chips/).
      expect(listener.interruptStatus & Sx126xIrq.RxDone, `SetRx at ${setRxAt} µs`).toBe(
        receives ? Sx126xIrq.RxDone : 0,
      );
      expect(listen(0x13, 0, 0, 0)[2]).toBe(receives ? 3 : 0);
    }
  });

  it("loses a frame it was receiving when it goes to standby, unless SetRx comes again before the last 5 preamble symbols", () => {
    // SF7/BW125, preamble 8, 3 bytes: the frame lasts 25.856 ms; its last 5 preamble symbols begin at 3.072 ms.
    for (const [standbyAt, setRxAt, receives] of [
      [1_000, 3_072, true],
      [1_000, 3_073, false],
      [10_000, 15_000, false],
    ] as const) {
      const { medium, listener, listen, talk } = loRaPair([7, 7, 7]);
      listen(0x82, 0xff, 0xff, 0xff);
      talk(0x83, 0, 0, 0);
      medium.runUntil(standbyAt);
      listen(0x80, 0x00);
      medium.runUntil(setRxAt);
      listen(0x82, 0xff, 0xff, 0xff);
      medium.runUntilIdle();
      const label = `SetStandby at ${standbyAt} µs, SetRx at ${setRxAt} µs`;
      expect(listener.interruptStatus & Sx126xIrq.RxDone, label).toBe(receives ? Sx126xIrq.RxDone : 0);
      expect(listener.errors).toEqual([]);
    }
  });

  it("loses its configuration in cold sleep and keeps it in warm sleep", () => {
    for (const warm of [false, true]) {
      const { model, send } = chip();
      send(0x0d, 0x07, 0x40, 0x34, 0x44);
      send(0x84, warm ? 0x04 : 0x00);
      expect(model.mode).toBe("sleep");
      expect(model.gpioRead(Pin.Busy)).toBe(1);
      send(0xc0, 0x00); // the wake-up transaction is not executed
      expect(model.mode).toBe("standbyRc");
      model.delayMicroseconds(5_000);
      expect(send(0x1d, 0x07, 0x40, 0x00, 0x00, 0x00).slice(4)).toEqual(warm ? [0x34, 0x44] : [0x14, 0x24]);
      expect(model.errors).toEqual([]);
    }
  });
});
