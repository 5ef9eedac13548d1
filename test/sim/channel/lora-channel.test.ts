import { describe, expect, it } from "vitest";
import { timeOnAirMicroseconds } from "../../../host/sim/channel/airtime.js";
import { LoRaChannel, type LoRaChannelOptions } from "../../../host/sim/channel/lora-channel.js";
import { demodulationThresholdDbm, noiseFloorDbm } from "../../../host/sim/channel/lora-receiver.js";
import {
  ENVIRONMENTS,
  type EnvironmentName,
  frequencyCorrectionDb,
  medianPathLossDb,
  medianRangeMetres,
} from "../../../host/sim/channel/propagation.js";
import { DeterministicRandom } from "../../../host/sim/random.js";
import { FakeRadioPort, loraModulation } from "./fake-radio-port.js";

// SF7/BW125, 8-symbol preamble, 10-byte frames: 1.024 ms symbols; the vulnerable window opens at 3.072 ms,
// the preamble ends at 12.544 ms, the header at 20.736 ms, the frame at 41.216 ms.
const VULNERABLE_START = 3_072;
const PREAMBLE_END = 12_544;
const HEADER_END = 20_736;
const FRAME_END = 41_216;

/** A channel without shadowing, so received powers follow the median path loss exactly. */
function quietChannel(environment: EnvironmentName = "rural", options: Partial<LoRaChannelOptions> = {}): LoRaChannel {
  return new LoRaChannel({ environment, seed: 1, shadowingSigmaDb: 0, ...options });
}

/** Receiver node 0 at the origin, senders 1 and 2 each 1 km away on opposite sides. */
function threeNodes(options: Partial<LoRaChannelOptions> = {}) {
  const channel = quietChannel("rural", options);
  const receiver = new FakeRadioPort(0, channel);
  const first = new FakeRadioPort(1, channel);
  const second = new FakeRadioPort(2, channel);
  channel.attach(receiver, { xMetres: 0, yMetres: 0 });
  channel.attach(first, { xMetres: 1000, yMetres: 0 });
  channel.attach(second, { xMetres: -1000, yMetres: 0 });
  return { channel, receiver, first, second };
}

describe("the LoRa channel delivers", () => {
  it("a frame in range, at transmit power minus path loss, with the SNR over the noise floor", () => {
    const { channel, receiver, first } = threeNodes();
    first.sendAt(0);
    channel.engine.runUntil(1e6);
    // 869.525 MHz is 0.015 dB harder than the 868 MHz the environment was calibrated at.
    const expectedRssi =
      14 - medianPathLossDb(ENVIRONMENTS.rural, 1000) - frequencyCorrectionDb(ENVIRONMENTS.rural, 869_525_000);
    expect(expectedRssi).toBeCloseTo(-104.115, 3);
    expect(receiver.received).toHaveLength(1);
    const frame = receiver.received[0];
    expect(frame.frame).toEqual(new Uint8Array(10).fill(1));
    expect(frame.crcOk).toBe(true);
    expect(frame.atMicroseconds).toBe(FRAME_END);
    expect(frame.rssiDbm).toBeCloseTo(expectedRssi, 9);
    expect(frame.snrDb).toBeCloseTo(expectedRssi - noiseFloorDbm(125_000), 9);
    expect(first.transmitDoneAt).toEqual([FRAME_END]);
    expect(receiver.preamblesDetected).toBe(1);
    expect(channel.nodeStatistics(1)).toMatchObject({ framesSent: 1, airtimeMicroseconds: FRAME_END });
    expect(channel.nodeStatistics(0)).toMatchObject({ framesReceived: 1, lostToCollision: 0 });
  });

  it("up to the median range of each SF and environment, and not beyond it", () => {
    for (const environment of Object.keys(ENVIRONMENTS) as EnvironmentName[]) {
      for (const spreadingFactor of [7, 12]) {
        const modulation = loraModulation({ spreadingFactor });
        const range = medianRangeMetres(ENVIRONMENTS[environment], spreadingFactor, 125_000, 14);
        const channel = quietChannel(environment);
        const sender = new FakeRadioPort(0, channel, modulation);
        const near = new FakeRadioPort(1, channel, modulation);
        const far = new FakeRadioPort(2, channel, modulation);
        channel.attach(sender, { xMetres: 0, yMetres: 0 });
        channel.attach(near, { xMetres: 0.97 * range, yMetres: 0 });
        channel.attach(far, { xMetres: -1.03 * range, yMetres: 0 });
        sender.sendAt(0);
        channel.engine.runUntil(10e6);
        expect(near.received, `${environment} SF${spreadingFactor}`).toHaveLength(1);
        expect(far.received, `${environment} SF${spreadingFactor}`).toHaveLength(0);
        expect(channel.nodeStatistics(2).lostBelowSensitivity).toBe(1);
      }
    }
  });

  it("frames of different spreading factors that overlap, even to two ports of one node", () => {
    const channel = quietChannel();
    const sf7 = loraModulation({ spreadingFactor: 7 });
    const sf9 = loraModulation({ spreadingFactor: 9 });
    const sender7 = new FakeRadioPort(1, channel, sf7);
    const sender9 = new FakeRadioPort(2, channel, sf9);
    const listener7 = new FakeRadioPort(0, channel, sf7);
    const listener9 = new FakeRadioPort(0, channel, sf9);
    channel.attach(listener7, { xMetres: 0, yMetres: 0 });
    channel.attach(listener9);
    channel.attach(sender7, { xMetres: 1000, yMetres: 0 });
    channel.attach(sender9, { xMetres: -1000, yMetres: 0 });
    sender7.sendAt(0, 14);
    sender9.sendAt(1000, 2); // 12 dB weaker: would be lost on the same SF
    channel.engine.runUntil(1e6);
    expect(listener7.received.map((r) => r.frame[0])).toEqual([1]);
    expect(listener9.received.map((r) => r.frame[0])).toEqual([2]);
    expect(channel.nodeStatistics(0)).toMatchObject({ framesReceived: 2, lostToCollision: 0 });
  });
});

describe("the LoRa channel collides frames of one SF", () => {
  it("losing both when neither is 6 dB above the other", () => {
    const { channel, receiver, first, second } = threeNodes();
    first.sendAt(0, 14);
    second.sendAt(10_000, 14);
    channel.engine.runUntil(1e6);
    expect(receiver.received).toEqual([]);
    expect(channel.nodeStatistics(0)).toMatchObject({ framesReceived: 0, lostToCollision: 2 });
  });

  it("losing both at 5 dB apart, just under the capture threshold", () => {
    const { channel, receiver, first, second } = threeNodes();
    first.sendAt(0, 14);
    second.sendAt(5_000, 9);
    channel.engine.runUntil(1e6);
    expect(receiver.received).toEqual([]);
    expect(channel.nodeStatistics(0).lostToCollision).toBe(2);
  });

  it("keeping the first frame when the later one is at least 6 dB weaker", () => {
    const { channel, receiver, first, second } = threeNodes();
    first.sendAt(0, 14);
    second.sendAt(5_000, 8);
    channel.engine.runUntil(1e6);
    expect(receiver.received.map((r) => [r.frame[0], r.crcOk])).toEqual([[1, true]]);
    expect(channel.nodeStatistics(0)).toMatchObject({ framesReceived: 1, lostToCollision: 1 });
  });

  it("letting a frame 6 dB louder capture the receiver while the first is still in its preamble", () => {
    const { channel, receiver, first, second } = threeNodes();
    first.sendAt(0, 8);
    second.sendAt(PREAMBLE_END - 1000, 14);
    channel.engine.runUntil(1e6);
    expect(receiver.received.map((r) => [r.frame[0], r.crcOk, r.atMicroseconds])).toEqual([
      [2, true, PREAMBLE_END - 1000 + FRAME_END],
    ]);
    expect(receiver.preamblesDetected).toBe(2);
    expect(channel.nodeStatistics(0)).toMatchObject({ framesReceived: 1, lostToCollision: 1 });
  });

  it("not letting a louder frame in after the preamble: the first fails its CRC if its header got through", () => {
    const { channel, receiver, first, second } = threeNodes();
    first.sendAt(0, 8);
    second.sendAt(HEADER_END + 1000, 14);
    channel.engine.runUntil(1e6);
    expect(receiver.received.map((r) => [r.frame[0], r.crcOk])).toEqual([[1, false]]);
    expect(channel.nodeStatistics(0)).toMatchObject({
      framesReceived: 0,
      framesReceivedCorrupted: 1,
      lostToCollision: 2,
    });
  });

  it("delivering nothing when the collision hits between preamble and header", () => {
    const { channel, receiver, first, second } = threeNodes();
    first.sendAt(0, 8);
    second.sendAt(PREAMBLE_END + 1000, 14);
    channel.engine.runUntil(1e6);
    expect(receiver.received).toEqual([]);
    expect(channel.nodeStatistics(0).lostToCollision).toBe(2);
  });

  it("altering a byte instead when the payload CRC is off", () => {
    const modulation = loraModulation({ crcOn: false });
    const { channel, receiver, first, second } = threeNodes();
    for (const port of [receiver, first, second]) port.modulation = modulation;
    first.sendAt(0, 8);
    second.sendAt(HEADER_END + 1000, 14);
    channel.engine.runUntil(1e6);
    expect(receiver.received).toHaveLength(1);
    const { frame, crcOk } = receiver.received[0];
    expect(crcOk).toBe(true);
    expect(frame).not.toEqual(new Uint8Array(10).fill(1));
    expect(frame.filter((byte) => byte !== 1)).toHaveLength(1);
  });

  it("ignoring an interferer that ends before the last five preamble symbols", () => {
    for (const [overlapMicroseconds, survives] of [
      [2_000, true],
      [4_000, false],
    ] as const) {
      const { channel, receiver, first, second } = threeNodes();
      // The receiver is deaf while the interferer starts, so it cannot lock onto it.
      const start = FRAME_END - overlapMicroseconds;
      receiver.listening = false;
      second.sendAt(0, 14);
      channel.schedule(start, () => {
        receiver.listening = true;
      });
      first.sendAt(start, 14);
      channel.engine.runUntil(1e6);
      expect(receiver.received.length, `overlap ${overlapMicroseconds} µs`).toBe(survives ? 1 : 0);
    }
  });
});

describe("the LoRa channel is half duplex and listens by the rules", () => {
  it("loses frames that start while the receiver transmits", () => {
    const { channel, receiver, first } = threeNodes();
    receiver.sendAt(0);
    first.sendAt(1000);
    channel.engine.runUntil(1e6);
    expect(receiver.received).toEqual([]);
    expect(channel.nodeStatistics(0).lostToHalfDuplex).toBe(1);
    expect(first.received).toEqual([]); // it was transmitting when the receiver's frame began
  });

  it("aborts a reception when the receiver starts to transmit", () => {
    const { channel, receiver, first } = threeNodes();
    first.sendAt(0);
    receiver.sendAt(20_000);
    channel.engine.runUntil(1e6);
    expect(receiver.received).toEqual([]);
    expect(channel.nodeStatistics(0).lostToHalfDuplex).toBe(1);
  });

  it("needs the receiver listening before the vulnerable window opens, and still at the frame's end", () => {
    for (const [listensAt, receives] of [
      [VULNERABLE_START, true],
      [VULNERABLE_START + 1, false],
    ] as const) {
      const late = threeNodes();
      late.receiver.listening = false;
      late.first.sendAt(0);
      late.channel.schedule(listensAt, () => {
        late.receiver.listening = true;
      });
      late.channel.engine.runUntil(1e6);
      expect(
        late.receiver.received.map((r) => r.atMicroseconds),
        `listening from ${listensAt} µs`,
      ).toEqual(receives ? [FRAME_END] : []);
      expect(late.receiver.preamblesDetected).toBe(receives ? 1 : 0);
      // Deaf when the frame began and too late for its preamble: not a loss the channel counts.
      expect(late.channel.nodeStatistics(0)).toMatchObject({
        framesReceived: receives ? 1 : 0,
        lostToCollision: 0,
        lostBelowSensitivity: 0,
        lostToHalfDuplex: 0,
        lostStoppedListening: 0,
      });
    }

    const leaving = threeNodes();
    leaving.first.sendAt(0);
    leaving.channel.schedule(30_000, () => {
      leaving.receiver.listening = false;
    });
    leaving.channel.engine.runUntil(1e6);
    expect(leaving.receiver.received).toEqual([]);
    expect(leaving.channel.nodeStatistics(0).lostStoppedListening).toBe(1);
  });

  it("drops a reception when the receiver leaves RX, locking on again only if it is back before the vulnerable window", () => {
    for (const [leavesAt, returnsAt, receives] of [
      [1_000, VULNERABLE_START, true],
      [1_000, VULNERABLE_START + 1, false],
      [30_000, 35_000, false],
    ] as const) {
      const { channel, receiver, first } = threeNodes();
      first.sendAt(0);
      channel.schedule(leavesAt, () => {
        receiver.listening = false;
      });
      channel.schedule(returnsAt, () => {
        receiver.listening = true;
      });
      channel.engine.runUntil(1e6);
      const label = `out of RX from ${leavesAt} to ${returnsAt} µs`;
      expect(
        receiver.received.map((r) => r.atMicroseconds),
        label,
      ).toEqual(receives ? [FRAME_END] : []);
      // Counted once either way: received, or lost because the demodulator stopped.
      expect(channel.nodeStatistics(0), label).toMatchObject({
        framesReceived: receives ? 1 : 0,
        lostStoppedListening: receives ? 0 : 1,
        lostToCollision: 0,
        lostToHalfDuplex: 0,
      });
    }
  });

  it("takes a frame off the air when its sender transmits again, reporting its end to the sender at once", () => {
    const { channel, receiver, first } = threeNodes();
    first.sendAt(0);
    first.sendAt(10_000);
    channel.engine.runUntil(1e6);
    expect(receiver.received.map((r) => r.atMicroseconds)).toEqual([10_000 + FRAME_END]);
    expect(first.transmitDoneAt).toEqual([10_000, 10_000 + FRAME_END]);
    expect(channel.nodeStatistics(0)).toMatchObject({ framesReceived: 1, lostSenderStopped: 1 });
    expect(channel.nodeStatistics(1)).toMatchObject({ framesSent: 2, airtimeMicroseconds: 10_000 + FRAME_END });
  });

  it("stops and resumes reception as a node moves out of range and back", () => {
    const { channel, receiver, first } = threeNodes();
    const range = medianRangeMetres(ENVIRONMENTS.rural, 7, 125_000, 14);
    first.sendAt(0);
    channel.schedule(100_000, () => channel.placeNode(0, { xMetres: 1000 - 1.2 * range, yMetres: 0 }));
    first.sendAt(200_000);
    channel.schedule(300_000, () => channel.placeNode(0, { xMetres: 0, yMetres: 0 }));
    first.sendAt(400_000);
    channel.engine.runUntil(1e6);
    expect(receiver.received.map((r) => r.atMicroseconds)).toEqual([FRAME_END, 400_000 + FRAME_END]);
  });
});

describe("a port that begins to search for a preamble while frames are on air", () => {
  it("locks onto the stronger of two frames still before their vulnerable windows; the other is a collision", () => {
    for (const [firstDbm, secondDbm, expected] of [
      [14, 2, 1],
      [2, 14, 2],
    ] as const) {
      const { channel, receiver, first, second } = threeNodes();
      receiver.listening = false;
      first.sendAt(0, firstDbm);
      second.sendAt(500, secondDbm);
      channel.schedule(1000, () => {
        receiver.listening = true;
      });
      channel.engine.runUntil(1e6);
      const endsAt = expected === 1 ? FRAME_END : 500 + FRAME_END;
      expect(receiver.received.map((r) => [r.frame[0], r.crcOk, r.atMicroseconds])).toEqual([[expected, true, endsAt]]);
      expect(channel.nodeStatistics(0)).toMatchObject({ framesReceived: 1, lostToCollision: 1, lostToHalfDuplex: 0 });
    }
  });

  it("ignores a frame too weak to decode there, without counting it", () => {
    const { channel, receiver, first } = threeNodes();
    receiver.listening = false;
    first.sendAt(0, -6); // −124 dBm at 1 km: above the interference floor, under the −123 dBm threshold
    channel.schedule(1000, () => {
      receiver.listening = true;
    });
    channel.engine.runUntil(1e6);
    expect(receiver.received).toEqual([]);
    expect(receiver.preamblesDetected).toBe(0);
    expect(channel.nodeStatistics(0).lostBelowSensitivity).toBe(0);
  });

  it("when its own frame ends, taking back the half-duplex loss counted as the other frame began", () => {
    for (const [startsBeforeOwnEnd, receives] of [
      [2_000, true],
      [4_000, false],
    ] as const) {
      const { channel, receiver, first } = threeNodes();
      receiver.sendAt(0);
      first.sendAt(FRAME_END - startsBeforeOwnEnd);
      channel.engine.runUntil(1e6);
      expect(
        receiver.received.map((r) => r.atMicroseconds),
        `${startsBeforeOwnEnd} µs`,
      ).toEqual(receives ? [2 * FRAME_END - startsBeforeOwnEnd] : []);
      expect(channel.nodeStatistics(0)).toMatchObject({
        framesReceived: receives ? 1 : 0,
        lostToHalfDuplex: receives ? 0 : 1,
      });
    }
  });

  it("when the frame it was receiving ends, taking back the collision counted as the next one began", () => {
    for (const [startsBeforeEnd, receivesBoth] of [
      [1_000, true],
      [4_000, false],
    ] as const) {
      const { channel, receiver, first, second } = threeNodes();
      first.sendAt(0, 14);
      second.sendAt(FRAME_END - startsBeforeEnd, 2); // 12 dB weaker: it does not break the first
      channel.engine.runUntil(1e6);
      expect(
        receiver.received.map((r) => r.frame[0]),
        `${startsBeforeEnd} µs`,
      ).toEqual(receivesBoth ? [1, 2] : [1]);
      expect(channel.nodeStatistics(0)).toMatchObject({
        framesReceived: receivesBoth ? 2 : 1,
        lostToCollision: receivesBoth ? 0 : 1,
      });
    }
  });
});

describe("channel activity detection", () => {
  it("is true while a frame of the same SF is on air and audible, false after it and for other SFs", () => {
    const { channel, receiver, first } = threeNodes();
    const far = new FakeRadioPort(3, channel);
    channel.attach(far, { xMetres: 3 * medianRangeMetres(ENVIRONMENTS.rural, 7, 125_000, 14), yMetres: 0 });
    const seen: Array<[string, boolean]> = [];
    const sf7 = loraModulation();
    first.sendAt(0);
    channel.schedule(FRAME_END / 2, () => {
      seen.push(["during", channel.channelActive(receiver, sf7)]);
      seen.push(["other SF", channel.channelActive(receiver, loraModulation({ spreadingFactor: 8 }))]);
      seen.push(["inverted IQ", channel.channelActive(receiver, loraModulation({ invertIq: true }))]);
      seen.push(["too far", channel.channelActive(far, sf7)]);
      seen.push(["own frame", channel.channelActive(first, sf7)]);
    });
    channel.schedule(FRAME_END + 1, () => seen.push(["after", channel.channelActive(receiver, sf7)]));
    channel.engine.runUntil(1e6);
    expect(seen).toEqual([
      ["during", true],
      ["other SF", false],
      ["inverted IQ", false],
      ["too far", false],
      ["own frame", false],
      ["after", false],
    ]);
  });
});

/** Random traffic on a small random network; returns every statistic of the run. */
function randomRun(seed: number, nodeCount: number, options: Partial<LoRaChannelOptions> = {}, framesPerNode = 20) {
  const channel = new LoRaChannel({ environment: "suburban", seed, fadingSigmaDb: 2, ...options });
  const placement = new DeterministicRandom(seed);
  const ports: FakeRadioPort[] = [];
  for (let node = 0; node < nodeCount; node++) {
    const port = new FakeRadioPort(node, channel);
    channel.attach(port, { xMetres: placement.uniformBetween(0, 3000), yMetres: placement.uniformBetween(0, 3000) });
    ports.push(port);
  }
  for (const port of ports) {
    const traffic = placement.fork(port.nodeIndex);
    let at = 0;
    for (let i = 0; i < framesPerNode; i++) {
      at += traffic.exponential(1e6);
      port.sendAt(at, 14, traffic.integerBetween(1, 60));
    }
  }
  channel.engine.runUntilIdle();
  const perNode = ports.map((port) => channel.nodeStatistics(port.nodeIndex));
  return { channel, ports, perNode, total: channel.totalStatistics() };
}

describe("a seeded run", () => {
  it("gives identical statistics for one seed and different ones for another", () => {
    const first = randomRun(7, 3);
    const again = randomRun(7, 3);
    const other = randomRun(8, 3);
    expect(again.perNode).toEqual(first.perNode);
    expect(first.total.framesReceived).toBeGreaterThan(0);
    expect(other.perNode).not.toEqual(first.perNode);
  });

  it("accounts for every decodable (frame, receiver) pair exactly once", () => {
    // Without shadowing or fading, the pairs that could decode follow from the geometry alone.
    const { channel, ports, total } = randomRun(3, 40, { shadowingSigmaDb: 0, fadingSigmaDb: 0 }, 30);
    const environment = ENVIRONMENTS.suburban;
    const threshold = demodulationThresholdDbm(7, 125_000);
    const correction = frequencyCorrectionDb(environment, 869_525_000);
    let decodablePairs = 0;
    for (const sender of ports) {
      const from = channel.nodePosition(sender.nodeIndex)!;
      for (const receiver of ports) {
        if (receiver === sender) continue;
        const to = channel.nodePosition(receiver.nodeIndex)!;
        const distance = Math.hypot(from.xMetres - to.xMetres, from.yMetres - to.yMetres);
        if (14 - medianPathLossDb(environment, distance) - correction >= threshold) decodablePairs += 30;
      }
    }
    expect(total.framesSent).toBe(40 * 30);
    expect(total.lostToCollision + total.lostToHalfDuplex).toBeGreaterThan(0);
    expect(
      total.framesReceived +
        total.lostToCollision +
        total.lostToHalfDuplex +
        total.lostStoppedListening +
        total.lostSenderStopped,
    ).toBe(decodablePairs);
  });
});

describe("a 1,000-node channel", () => {
  it("carries one frame from every node", () => {
    const channel = new LoRaChannel({ environment: "suburban", seed: 5 });
    const random = new DeterministicRandom(5);
    const ports: FakeRadioPort[] = [];
    for (let node = 0; node < 1000; node++) {
      const port = new FakeRadioPort(node, channel);
      channel.attach(port, { xMetres: random.uniformBetween(0, 20_000), yMetres: random.uniformBetween(0, 20_000) });
      port.sendAt(random.uniformBetween(0, 60e6), 14, 40);
      ports.push(port);
    }
    channel.engine.runUntilIdle();
    const total = channel.totalStatistics();
    expect(total.framesSent).toBe(1000);
    expect(total.airtimeMicroseconds).toBeCloseTo(1000 * timeOnAirMicroseconds(loraModulation(), 40), 3);
    expect(total.framesReceived).toBeGreaterThan(1000);
    expect(ports.every((port) => port.transmitDoneAt.length === 1)).toBe(true);
  });
});
