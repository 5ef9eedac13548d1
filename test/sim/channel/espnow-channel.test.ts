import { describe, expect, it } from "vitest";
import {
  EspNowChannel,
  type EspNowChannelOptions,
  type EspNowStation,
  espNowAirtimeMicroseconds,
} from "../../../host/sim/channel/espnow-channel.js";
import type { PlanePosition } from "../../../host/sim/channel/spatial-grid.js";

class RecordingStation implements EspNowStation {
  readonly received: Array<{ from: number; first: number; atMicroseconds: number }> = [];
  readonly sendResults: boolean[] = [];
  constructor(
    readonly nodeIndex: number,
    private readonly channel: EspNowChannel,
  ) {}
  receive(frame: Uint8Array, fromNode: number): void {
    this.received.push({ from: fromNode, first: frame[0], atMicroseconds: this.channel.engine.now() });
  }
  sendDone(delivered: boolean): void {
    this.sendResults.push(delivered);
  }
}

function network(positions: PlanePosition[], options: Partial<EspNowChannelOptions> = {}) {
  const channel = new EspNowChannel({ seed: 1, ...options });
  const stations = positions.map((position, node) => {
    const station = new RecordingStation(node, channel);
    channel.attach(station, position);
    return station;
  });
  return { channel, stations };
}

const at = (xMetres: number): PlanePosition => ({ xMetres, yMetres: 0 });

describe("the ESP-NOW channel", () => {
  it("takes 192 µs of preamble plus 8 µs per byte of body and 43 bytes of framing at 1 Mbit/s", () => {
    expect(espNowAirtimeMicroseconds(250)).toBe(192 + (250 + 43) * 8);
    expect(espNowAirtimeMicroseconds(0)).toBe(192 + 43 * 8);
    expect(espNowAirtimeMicroseconds(100, 2e6)).toBe(192 + (143 * 8) / 2);
  });

  it("reaches stations within its range and not beyond", () => {
    const { channel, stations } = network([at(0), at(190), at(-210)]);
    channel.send(0, new Uint8Array([7]));
    channel.engine.runUntilIdle();
    expect(stations[1].received.map((r) => r.from)).toEqual([0]);
    expect(stations[2].received).toEqual([]);
    expect(stations[0].sendResults).toEqual([true]);
  });

  it("loses both frames where two hidden stations overlap", () => {
    // 0 and 2 are 300 m apart and cannot hear each other; 1 in the middle hears both.
    const { channel, stations } = network([at(-150), at(0), at(150)]);
    channel.send(0, new Uint8Array(250).fill(1));
    channel.send(2, new Uint8Array(250).fill(2));
    channel.engine.runUntilIdle();
    // Carrier sense cannot help: neither hears the other, and the backoffs (50–670 µs) differ by less
    // than a 250-byte frame lasts (2,536 µs), so the frames overlap at station 1.
    expect(stations[1].received).toEqual([]);
    expect(channel.nodeStatistics(1).lostToCollision).toBe(2);
  });

  it("lets stations that hear each other take turns through carrier sense", () => {
    const { channel, stations } = network([at(0), at(50), at(100)]);
    for (let round = 0; round < 50; round++) {
      channel.engine.schedule(round * 10_000, () => {
        channel.send(0, new Uint8Array([0]));
        channel.send(2, new Uint8Array([2]));
      });
    }
    channel.engine.runUntilIdle();
    expect(channel.totalStatistics().deferrals).toBeGreaterThan(0);
    // Of 100 frames only the rounds where both drew the same backoff slot (1 in 32) still collide.
    expect(stations[1].received.length).toBeGreaterThanOrEqual(90);
  });

  it("collides them without carrier sense", () => {
    const { channel, stations } = network([at(0), at(50), at(100)], { carrierSense: false });
    channel.send(0, new Uint8Array([0]));
    channel.send(2, new Uint8Array([2]));
    channel.engine.runUntilIdle();
    expect(stations[1].received).toEqual([]);
    // Each sender was transmitting when the other's frame began: half duplex.
    expect(channel.nodeStatistics(0).lostToHalfDuplex).toBe(1);
    expect(channel.nodeStatistics(2).lostToHalfDuplex).toBe(1);
  });

  it("sends queued frames one after another and reports each", () => {
    const { channel, stations } = network([at(0), at(20)]);
    for (let i = 0; i < 5; i++) channel.send(0, new Uint8Array([i]));
    channel.engine.runUntilIdle();
    expect(stations[1].received.map((r) => r.first)).toEqual([0, 1, 2, 3, 4]);
    expect(stations[0].sendResults).toEqual([true, true, true, true, true]);
  });

  it("delivers unicast only to its addressee and says whether it arrived", () => {
    const { channel, stations } = network([at(0), at(20), at(40), at(500)]);
    channel.send(0, new Uint8Array([1]), 2);
    channel.send(0, new Uint8Array([2]), 3);
    channel.engine.runUntilIdle();
    expect(stations[1].received).toEqual([]);
    expect(stations[2].received.map((r) => r.first)).toEqual([1]);
    expect(stations[0].sendResults).toEqual([true, false]);
  });

  it("drops about the configured share of frames at random, the same ones for the same seed", () => {
    const run = (seed: number) => {
      const { channel, stations } = network([at(0), at(20)], { seed, lossProbability: 0.3 });
      for (let i = 0; i < 1000; i++) channel.send(0, new Uint8Array([i & 0xff]));
      channel.engine.runUntilIdle();
      return { received: stations[1].received, statistics: channel.nodeStatistics(1) };
    };
    const first = run(4);
    expect(first.statistics.lostRandomly).toBeGreaterThan(250);
    expect(first.statistics.lostRandomly).toBeLessThan(350);
    expect(first.statistics.lostRandomly + first.statistics.framesReceived).toBe(1000);
    expect(run(4)).toEqual(first);
    expect(run(5).statistics).not.toEqual(first.statistics);
  });

  it("refuses frames longer than the ESP-NOW v1 limit unless configured for v2", () => {
    const { channel } = network([at(0)]);
    expect(() => channel.send(0, new Uint8Array(251))).toThrow(RangeError);
    const v2 = network([at(0)], { maximumPayloadBytes: 1470 });
    expect(() => v2.channel.send(0, new Uint8Array(1470))).not.toThrow();
  });
});
