// The radio channel virtual boards share: the simulator's LoRa channel and event engine, driven by
// the wall clock instead of run as fast as possible, so boards behind real serial ports (and the
// people and tools talking to them) see radio timing as it would be on a desk.

import { LoRaChannel } from "../sim/channel/lora-channel.js";
import type { EnvironmentName } from "../sim/channel/propagation.js";
import { SimulationEngine } from "../sim/engine.js";

/** How often simulated time catches up with the wall clock. A LoRa symbol at SF7 lasts ≈1 ms. */
const TICK_MILLISECONDS = 2;

export class SharedAir {
  readonly engine = new SimulationEngine();
  readonly channel: LoRaChannel;
  private readonly startedAt = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private nextNode = 0;

  constructor(options: { environment?: EnvironmentName; seed?: number } = {}) {
    this.channel = new LoRaChannel({
      environment: options.environment ?? "suburban",
      seed: options.seed ?? 1,
      engine: this.engine,
    });
  }

  /** Wall-clock milliseconds since the air started: the boards' clock. */
  nowMs(): number {
    return performance.now() - this.startedAt;
  }

  /** Runs every event due by now. */
  catchUp(): void {
    const now = (performance.now() - this.startedAt) * 1000;
    if (now > this.engine.now()) this.engine.runUntil(now);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.catchUp(), TICK_MILLISECONDS);
    // The serial ports keep the process alive; the air alone should not.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A node index for a new board's radio. */
  allocateNode(): number {
    return this.nextNode++;
  }
}
