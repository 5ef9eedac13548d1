// The simulator's clock: a deterministic discrete-event engine. Simulated time is a number of
// microseconds; events run in (time, scheduling order), so two runs from the same seed execute the same
// callbacks in the same order. The queue is a binary heap over a slot pool (struct of arrays), so
// scheduling allocates nothing per event once the pool has grown to the run's high-water mark.

export { DeterministicRandom } from "./random.js";

/** Handle returned by schedule(); never 0, so callers may use 0 for "no timer". */
export type EventHandle = number;

/** Handles pack a slot number and that slot's generation: a stale handle can never cancel a reused slot. */
const SLOT_SPACE = 0x100_0000; // 2^24 slots; the generation lives above, exact in a double up to 2^29 reuses
const INITIAL_CAPACITY = 1024;
/** runUntil reports progress after this many executed events (and once at the end). */
const PROGRESS_EVERY_EVENTS = 1 << 16;

export type ProgressListener = (nowMicroseconds: number, endMicroseconds: number, eventsExecuted: number) => void;

export class SimulationEngine {
  private currentTime = 0;
  private nextSequence = 0;
  private executed = 0;
  private stopRequested = false;

  // Slot pool: one entry per scheduled event, reused after the event runs or is discarded.
  private slotTime = new Float64Array(INITIAL_CAPACITY);
  private slotSequence = new Float64Array(INITIAL_CAPACITY);
  private slotGeneration = new Uint32Array(INITIAL_CAPACITY).fill(1);
  private slotCallback: Array<(() => void) | undefined> = new Array(INITIAL_CAPACITY).fill(undefined);
  private freeSlots = new Int32Array(INITIAL_CAPACITY);
  private freeCount = 0;
  private slotsInUse = 0;

  // Min-heap of slot numbers ordered by (time, sequence).
  private heap = new Int32Array(INITIAL_CAPACITY);
  private heapSize = 0;

  /** Simulated time in microseconds. */
  now(): number {
    return this.currentTime;
  }

  /** Events scheduled and not yet run, including cancelled ones not yet discarded. */
  get pendingEvents(): number {
    return this.heapSize;
  }

  /** Callbacks run since the engine was created. */
  get eventsExecuted(): number {
    return this.executed;
  }

  /** Runs `callback` at `atMicroseconds` (≥ now); events at the same time run in scheduling order. */
  schedule(atMicroseconds: number, callback: () => void): EventHandle {
    if (!(atMicroseconds >= this.currentTime)) {
      // Also rejects NaN. A model scheduling into the past has a bug that silent clamping would hide.
      throw new RangeError(`cannot schedule at ${atMicroseconds} µs: now is ${this.currentTime} µs`);
    }
    const slot = this.takeSlot();
    this.slotTime[slot] = atMicroseconds;
    this.slotSequence[slot] = this.nextSequence++;
    this.slotCallback[slot] = callback;
    this.pushHeap(slot);
    return this.slotGeneration[slot] * SLOT_SPACE + slot;
  }

  /** Runs `callback` `delayMicroseconds` from now. */
  scheduleAfter(delayMicroseconds: number, callback: () => void): EventHandle {
    return this.schedule(this.currentTime + delayMicroseconds, callback);
  }

  /**
   * Cancels a pending event; a no-op for handles that already ran or were cancelled. Deletion is lazy:
   * the heap entry stays until its time comes and is then discarded, which keeps cancel O(1).
   */
  cancel(handle: EventHandle): void {
    const slot = handle % SLOT_SPACE;
    const generation = Math.floor(handle / SLOT_SPACE);
    if (slot < this.slotsInUse && this.slotGeneration[slot] === generation) this.slotCallback[slot] = undefined;
  }

  /** Makes the running runUntil/runUntilIdle return after the current callback. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Runs every event due at or before `endMicroseconds`, then leaves the clock at `endMicroseconds`
   * (or where stop() was called). Returns the number of callbacks run.
   */
  runUntil(endMicroseconds: number, onProgress?: ProgressListener): number {
    const ran = this.drain(endMicroseconds, onProgress);
    if (!this.stopRequested && endMicroseconds > this.currentTime) this.currentTime = endMicroseconds;
    this.stopRequested = false;
    return ran;
  }

  /** Runs events until none is left (or stop()); the clock stays at the last event's time. */
  runUntilIdle(onProgress?: ProgressListener): number {
    const ran = this.drain(Number.POSITIVE_INFINITY, onProgress);
    this.stopRequested = false;
    return ran;
  }

  private drain(endMicroseconds: number, onProgress?: ProgressListener): number {
    const startCount = this.executed;
    let nextReport = this.executed + PROGRESS_EVERY_EVENTS;
    while (this.heapSize > 0 && !this.stopRequested) {
      const slot = this.heap[0];
      const time = this.slotTime[slot];
      if (time > endMicroseconds) break;
      this.popHeap();
      const callback = this.slotCallback[slot];
      this.releaseSlot(slot);
      if (callback === undefined) continue; // cancelled
      this.currentTime = time;
      this.executed++;
      callback();
      if (onProgress !== undefined && this.executed >= nextReport) {
        nextReport = this.executed + PROGRESS_EVERY_EVENTS;
        onProgress(this.currentTime, endMicroseconds, this.executed);
      }
    }
    onProgress?.(this.currentTime, endMicroseconds, this.executed);
    return this.executed - startCount;
  }

  private takeSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount];
    if (this.slotsInUse === this.slotTime.length) this.grow();
    return this.slotsInUse++;
  }

  private releaseSlot(slot: number): void {
    this.slotCallback[slot] = undefined; // drop the closure so the collector can have it
    this.slotGeneration[slot]++; // invalidates the handle that was given out for this use
    this.freeSlots[this.freeCount++] = slot;
  }

  private grow(): void {
    const capacity = this.slotTime.length * 2;
    if (capacity > SLOT_SPACE) throw new RangeError("more than 2^24 events pending");
    const time = new Float64Array(capacity);
    time.set(this.slotTime);
    this.slotTime = time;
    const sequence = new Float64Array(capacity);
    sequence.set(this.slotSequence);
    this.slotSequence = sequence;
    const generation = new Uint32Array(capacity).fill(1);
    generation.set(this.slotGeneration);
    this.slotGeneration = generation;
    const free = new Int32Array(capacity);
    free.set(this.freeSlots);
    this.freeSlots = free;
    const heap = new Int32Array(capacity);
    heap.set(this.heap);
    this.heap = heap;
    for (let i = this.slotCallback.length; i < capacity; i++) this.slotCallback.push(undefined);
  }

  /** True when slot `a` must run before slot `b`. */
  private before(a: number, b: number): boolean {
    const timeA = this.slotTime[a];
    const timeB = this.slotTime[b];
    return timeA < timeB || (timeA === timeB && this.slotSequence[a] < this.slotSequence[b]);
  }

  private pushHeap(slot: number): void {
    const heap = this.heap;
    let index = this.heapSize++;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (!this.before(slot, parent)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = slot;
  }

  private popHeap(): void {
    const heap = this.heap;
    const last = heap[--this.heapSize];
    const size = this.heapSize;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && this.before(heap[right], heap[left]) ? right : left;
      if (!this.before(heap[child], last)) break;
      heap[index] = heap[child];
      index = child;
    }
    heap[index] = last;
  }
}
