// One simulated node: its own stack.wasm instance, driven by simulated time. The node is polled when
// its deadline comes, when its radio raises an interrupt, and when the application gives it work.
import type { NodeHandles, Received, Stack } from "../wasm/stack.js";

/** The part of the event engine a node needs (RadioMedium offers exactly this). */
export interface SimClock {
  now(): number;
  schedule(atMicroseconds: number, callback: () => void): number;
  cancel(handle: number): void;
}

/** A payload the node's top layer handed up; a routed link also says how many hops it took. */
export type Delivery = Received & { hopCount?: number };

export class SimNode {
  private wakeHandle = -1;
  private wakeAtMicroseconds = Number.POSITIVE_INFINITY;
  private polling = false;
  private powered = true;

  constructor(
    readonly index: number,
    readonly id: string,
    readonly stack: Stack,
    readonly handles: NodeHandles,
    readonly publicKey: Uint8Array,
    private readonly clock: SimClock,
    /** Called with every payload the node's top layer delivers. */
    private readonly onReceive: (node: SimNode, received: Delivery) => void,
    /** The link the application talks to: the Integrity link, or an Availability link above it. */
    readonly topLink: number = handles.integrity,
    /** Takes the next payload off the top link (default: the generic Stack.pop). */
    private readonly popTop: () => Delivery | undefined = () => stack.pop(topLink, handles.pool),
  ) {}

  get isPowered(): boolean {
    return this.powered;
  }

  /**
   * Switches the board off (it is then never polled: interrupts and application work are ignored) or
   * on again. Its radio is switched by the channel (LoRaChannel.setPowered).
   */
  setPowered(powered: boolean): void {
    this.powered = powered;
    if (!powered && this.wakeHandle >= 0) {
      this.clock.cancel(this.wakeHandle);
      this.wakeHandle = -1;
      this.wakeAtMicroseconds = Number.POSITIVE_INFINITY;
    }
    if (powered) this.requestWake();
  }

  /** Asks for a poll as soon as the current event is done (from interrupts and application work). */
  requestWake(): void {
    if (!this.powered) return;
    this.scheduleWake(this.clock.now());
  }

  /** Polls the stack at the current simulated time, hands up what arrived, and books the next poll. */
  wake(): void {
    if (this.polling || !this.powered) return;
    this.polling = true;
    const now = this.clock.now();
    const nowMs = Math.floor(now / 1000);
    this.stack.poll(this.topLink, nowMs);
    for (let r = this.popTop(); r; r = this.popTop()) this.onReceive(this, r);
    // Reading frames can give a layer new work even when nothing is delivered (a relay to schedule),
    // so the deadline is asked for after the reads.
    const deadlineMs = this.stack.poll(this.topLink, nowMs);
    this.polling = false;
    if (deadlineMs >= 0 && deadlineMs < 9e15) {
      // A deadline at or before now means "poll again at once"; one millisecond keeps time moving.
      this.scheduleWake(Math.max(deadlineMs * 1000, now + 1000));
    }
  }

  private scheduleWake(atMicroseconds: number): void {
    if (!this.powered) return;
    if (atMicroseconds >= this.wakeAtMicroseconds && this.wakeHandle >= 0) return;
    if (this.wakeHandle >= 0) this.clock.cancel(this.wakeHandle);
    this.wakeAtMicroseconds = atMicroseconds;
    this.wakeHandle = this.clock.schedule(atMicroseconds, () => {
      this.wakeHandle = -1;
      this.wakeAtMicroseconds = Number.POSITIVE_INFINITY;
      this.wake();
    });
  }
}
