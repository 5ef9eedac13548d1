import { describe, expect, it } from "vitest";
import { LoRaChannel } from "../../../host/sim/channel/lora-channel.js";
import { FakeRadioPort } from "./fake-radio-port.js";

// SF7/BW125, 10-byte frames end 41.216 ms after they start (see lora-channel.test.ts).
const FRAME_END = 41_216;

function twoNodes(shadowingSigmaDb = 0) {
  const channel = new LoRaChannel({ environment: "rural", seed: 3, shadowingSigmaDb });
  const a = new FakeRadioPort(0, channel);
  const b = new FakeRadioPort(1, channel);
  channel.attach(a, { xMetres: 0, yMetres: 0 });
  channel.attach(b, { xMetres: 1000, yMetres: 0 });
  return { channel, a, b };
}

describe("a powered-off node on the LoRa channel", () => {
  it("hears nothing until it is powered on again", () => {
    const { channel, a, b } = twoNodes();
    channel.setPowered(1, false);
    a.sendAt(0);
    channel.schedule(100_000, () => channel.setPowered(1, true));
    a.sendAt(200_000);
    channel.engine.runUntil(1e6);
    expect(b.received.map((r) => r.atMicroseconds)).toEqual([200_000 + FRAME_END]);
    expect(channel.isPowered(1)).toBe(true);
  });

  it("stops radiating the frame it was sending, and loses the one it was receiving", () => {
    const { channel, a, b } = twoNodes();
    a.sendAt(0);
    b.sendAt(100_000);
    channel.schedule(10_000, () => channel.setPowered(0, false)); // a, mid-frame
    channel.schedule(50_000, () => channel.setPowered(0, true));
    channel.schedule(120_000, () => channel.setPowered(0, false)); // a, receiving b's frame
    channel.engine.runUntil(1e6);
    expect(b.received).toHaveLength(0);
    expect(a.preamblesDetected).toBe(1);
    expect(a.received).toHaveLength(0);
    expect(a.transmitDoneAt).toEqual([10_000]);
    expect(channel.nodeStatistics(0).airtimeMicroseconds).toBe(10_000);
  });

  it("cannot transmit: only a bug could drive its chip", () => {
    const { channel, a } = twoNodes();
    channel.setPowered(0, false);
    expect(() => a.send(new Uint8Array(10))).toThrow(/powered off/);
  });
});

describe("the LoRa channel's link budgets", () => {
  it("follow a moved node, and its shadowing stays the same draw for the seed", () => {
    const { channel } = twoNodes(6);
    const before = channel.linkLossDb(0, 1);
    const reverse = channel.linkLossDb(1, 0);
    expect(before).not.toBeCloseTo(reverse, 3); // one shadowing draw per direction
    const neighboursBefore = channel.nodesWithinLinkLoss(0, before + 0.001);
    expect(neighboursBefore).toEqual([1]);
    channel.placeNode(1, { xMetres: 8000, yMetres: 0 });
    const after = channel.linkLossDb(0, 1);
    // Rural n = 2.7: eight times the distance is 24.4 dB more, the shadowing unchanged.
    expect(after - before).toBeCloseTo(27 * Math.log10(8), 6);
    expect(channel.nodesWithinLinkLoss(0, before + 0.001)).toEqual([]);
    channel.placeNode(1, { xMetres: 1000, yMetres: 0 });
    expect(channel.linkLossDb(0, 1)).toBe(before);
  });
});
