import { describe, expect, it } from "vitest";
import { DeterministicRandom, SimulationEngine } from "../../host/sim/engine.js";

describe("the event engine", () => {
  it("runs events in time order, and events at the same time in the order they were scheduled", () => {
    const engine = new SimulationEngine();
    const order: string[] = [];
    engine.schedule(30, () => order.push("c@30"));
    engine.schedule(10, () => order.push("a@10"));
    engine.schedule(20, () => order.push("b1@20"));
    engine.schedule(20, () => order.push("b2@20"));
    engine.schedule(10, () => order.push("a2@10"));
    engine.runUntilIdle();
    expect(order).toEqual(["a@10", "a2@10", "b1@20", "b2@20", "c@30"]);
    expect(engine.now()).toBe(30);
  });

  it("runs what callbacks schedule for now within the same run, after what was already due", () => {
    const engine = new SimulationEngine();
    const order: string[] = [];
    engine.schedule(5, () => {
      order.push("first");
      engine.schedule(engine.now(), () => order.push("nested"));
    });
    engine.schedule(5, () => order.push("second"));
    engine.runUntil(5);
    expect(order).toEqual(["first", "second", "nested"]);
  });

  it("stops at the end time, runs events exactly at it, and leaves the clock there", () => {
    const engine = new SimulationEngine();
    const ran: number[] = [];
    for (const at of [100, 200, 300]) engine.schedule(at, () => ran.push(at));
    expect(engine.runUntil(200)).toBe(2);
    expect(ran).toEqual([100, 200]);
    expect(engine.now()).toBe(200);
    expect(engine.pendingEvents).toBe(1);
    engine.runUntil(250);
    expect(engine.now()).toBe(250);
    expect(ran).toEqual([100, 200]);
  });

  it("cancels pending events; cancelling a spent or stale handle does nothing", () => {
    const engine = new SimulationEngine();
    const ran: string[] = [];
    const cancelled = engine.schedule(10, () => ran.push("cancelled"));
    const spent = engine.schedule(5, () => ran.push("spent"));
    expect(cancelled).not.toBe(0);
    engine.cancel(cancelled);
    engine.runUntil(20);
    expect(ran).toEqual(["spent"]);
    // Both slots are reused now; the old handles must not reach the new events.
    engine.schedule(30, () => ran.push("new1"));
    engine.schedule(30, () => ran.push("new2"));
    engine.cancel(spent);
    engine.cancel(cancelled);
    engine.runUntil(40);
    expect(ran).toEqual(["spent", "new1", "new2"]);
  });

  it("refuses to schedule into the past", () => {
    const engine = new SimulationEngine();
    engine.runUntil(1000);
    expect(() => engine.schedule(999, () => {})).toThrow(RangeError);
    expect(() => engine.schedule(Number.NaN, () => {})).toThrow(RangeError);
    expect(() => engine.scheduleAfter(0, () => {})).not.toThrow();
  });

  it("returns early on stop() and can resume", () => {
    const engine = new SimulationEngine();
    const ran: number[] = [];
    engine.schedule(1, () => ran.push(1));
    engine.schedule(2, () => {
      ran.push(2);
      engine.stop();
    });
    engine.schedule(3, () => ran.push(3));
    engine.runUntil(10);
    expect(ran).toEqual([1, 2]);
    expect(engine.now()).toBe(2);
    engine.runUntil(10);
    expect(ran).toEqual([1, 2, 3]);
  });

  it("keeps heap order through growth, random cancels and interleaved runs, reproducibly", () => {
    const run = () => {
      const engine = new SimulationEngine();
      const random = new DeterministicRandom(99);
      const fired: Array<[number, number]> = [];
      const handles: number[] = [];
      for (let i = 0; i < 20_000; i++) {
        const at = random.integerBelow(5000);
        handles.push(engine.schedule(at, () => fired.push([engine.now(), i])));
      }
      for (let i = 0; i < 5000; i++) engine.cancel(handles[random.integerBelow(handles.length)]);
      engine.runUntil(2500);
      for (let i = 0; i < 1000; i++) {
        const id = 20_000 + i;
        engine.schedule(2500 + random.integerBelow(2500), () => fired.push([engine.now(), id]));
      }
      engine.runUntilIdle();
      return fired;
    };
    const fired = run();
    // Ids grow with scheduling order, so (time, id) must be strictly increasing.
    const outOfOrder = fired.filter(
      (event, i) =>
        i > 0 && (event[0] < fired[i - 1][0] || (event[0] === fired[i - 1][0] && event[1] < fired[i - 1][1])),
    );
    expect(outOfOrder).toEqual([]);
    expect(fired.length).toBeGreaterThan(15_000);
    expect(run()).toEqual(fired);
  });

  it("reports progress while running and once at the end", () => {
    const engine = new SimulationEngine();
    for (let i = 0; i < 200_000; i++) engine.schedule(i, () => {});
    const reports: number[] = [];
    engine.runUntil(1e6, (now, end) => {
      expect(end).toBe(1e6);
      reports.push(now);
    });
    expect(reports.length).toBeGreaterThanOrEqual(4);
    expect(reports.at(-1)).toBe(199_999);
  });
});
