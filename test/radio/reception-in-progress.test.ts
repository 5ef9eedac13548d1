// Radio.receptionInProgress() of both drivers against the chip models: listen-before-talk asks it
// before a CAD, because both chips leave receive for a CAD and would lose the frame being received
// (docs/datalink.md, "LoRa: listen before talk and duty cycle").
import { describe, expect, it } from "vitest";
import { Sx1262Model } from "../../host/sim/chips/sx1262-model.js";
import { Sx1276Model } from "../../host/sim/chips/sx1276-model.js";
import { LoopbackTestMedium } from "../../host/sim/chips/test-medium.js";
import type { BusDevice } from "../../host/sim/radio-medium.js";
import { RadioEvent, RadioStack } from "../../host/wasm/radio.js";
import { EU868_BOARD, EU868_LORA } from "./sx126x-harness.js";

/** A talker and a listener of one chip type on a loopback medium, both begun. */
async function pair(chip: "sx1262" | "sx1276") {
  const medium = new LoopbackTestMedium();
  const devices = new Map<number, BusDevice>();
  const models: (Sx1262Model | Sx1276Model)[] = [];
  for (let bus = 0; bus < 2; bus++) {
    const model = chip === "sx1262" ? new Sx1262Model(medium, { nodeIndex: bus }) : new Sx1276Model(medium, bus);
    medium.attach(model);
    models.push(model);
    devices.set(bus, model);
  }
  const stack = await RadioStack.load(devices);
  const [talker, listener] = [0, 1].map((bus) => stack.createRadio(chip, bus));
  // The SX1276 boards have no TCXO or DIO2 RF switch.
  const settings = chip === "sx1262" ? EU868_BOARD : EU868_LORA;
  expect(talker.begin(settings)).toBe(true);
  expect(listener.begin(settings)).toBe(true);
  return { medium, models, talker, listener };
}

/** Milliseconds on the medium's clock, as the link would pass them. */
const nowMs = (medium: LoopbackTestMedium) => Math.floor(medium.now() / 1000);

for (const chip of ["sx1262", "sx1276"] as const) {
  describe(`${chip} receptionInProgress()`, () => {
    it("is true from the preamble's detection to the frame's end, and false otherwise", async () => {
      const { medium, models, talker, listener } = await pair(chip);
      expect(listener.startReceive()).toBe(true);
      expect(listener.receptionInProgress(nowMs(medium))).toBe(false);
      // SF7/BW125, preamble 16: 255 bytes are on air for about 400 ms; the preamble is detected two
      // symbols (2 ms) in.
      expect(talker.transmit(new Uint8Array(255).fill(7))).toBe(true);
      medium.runFor(1_000);
      expect(listener.receptionInProgress(nowMs(medium))).toBe(false);
      medium.runFor(4_000);
      expect(listener.receptionInProgress(nowMs(medium))).toBe(true);
      medium.runFor(100_000); // past the header, into the payload
      expect(listener.receptionInProgress(nowMs(medium))).toBe(true);
      medium.runUntilIdle();
      // The frame has ended and waits to be taken: no longer in progress, and still readable.
      expect(listener.receptionInProgress(nowMs(medium))).toBe(false);
      expect(listener.takeEvents() & RadioEvent.RxDone).toBe(RadioEvent.RxDone);
      expect(listener.readFrame()?.frame).toEqual(new Uint8Array(255).fill(7));
      expect(listener.receptionInProgress(nowMs(medium))).toBe(false);
      expect(talker.takeEvents()).toBe(RadioEvent.TxDone);
      // Asking does not disturb the reception: the next frame arrives too.
      expect(talker.transmit(new Uint8Array([1, 2, 3]))).toBe(true);
      medium.runFor(5_000);
      expect(listener.receptionInProgress(nowMs(medium))).toBe(true);
      medium.runUntilIdle();
      expect(listener.takeEvents() & RadioEvent.RxDone).toBe(RadioEvent.RxDone);
      expect(listener.readFrame()?.frame).toEqual(new Uint8Array([1, 2, 3]));
      for (const model of models) expect(model.errors).toEqual([]);
    });

    it("is false while not receiving, even with a frame on air", async () => {
      const { medium, talker, listener } = await pair(chip);
      listener.standby();
      expect(talker.transmit(new Uint8Array(100))).toBe(true);
      medium.runFor(50_000);
      expect(listener.receptionInProgress(nowMs(medium))).toBe(false);
      // Listening from the middle of the frame: its preamble is long gone, so nothing is received.
      expect(listener.startReceive()).toBe(true);
      medium.runFor(5_000);
      expect(listener.receptionInProgress(nowMs(medium))).toBe(false);
    });
  });
}

describe("sx1262 receptionInProgress()", () => {
  it("clears the detection flags on entering receive, so an aborted frame's flags do not linger", async () => {
    const { medium, talker, listener } = await pair("sx1262");
    expect(listener.startReceive()).toBe(true);
    expect(talker.transmit(new Uint8Array(255))).toBe(true);
    medium.runFor(30_000);
    expect(listener.receptionInProgress(nowMs(medium))).toBe(true);
    // Leaving receive aborts the frame (the flags stay latched in the chip); back in receive they go.
    listener.standby();
    expect(listener.startReceive()).toBe(true);
    medium.runFor(5_000);
    expect(listener.receptionInProgress(nowMs(medium))).toBe(false);
  });

  it("forgets a detection that lasted longer than the longest frame (a preamble detected on noise)", async () => {
    const { medium, talker, listener } = await pair("sx1262");
    expect(listener.startReceive()).toBe(true);
    expect(talker.transmit(new Uint8Array(255))).toBe(true);
    medium.runFor(10_000);
    const seenAt = nowMs(medium);
    expect(listener.receptionInProgress(seenAt)).toBe(true);
    // The same latched flags, asked about with a clock past any frame's airtime (255 bytes at SF7:
    // ~400 ms): taken for a detection that never became a frame, and cleared.
    expect(listener.receptionInProgress(seenAt + 2_000)).toBe(false);
    expect(listener.receptionInProgress(seenAt + 2_001)).toBe(false);
  });
});
