// A tiny seeded PRNG (Marsaglia's xorshift32, 13/17/5) for protocol jitter: back-off slots, packet
// ids, simulated faults. Not for secrets — those come from the board's hardware RNG.

export class Xorshift32 {
  private state: u32;

  /** A zero seed would stick at zero; it is replaced by a fixed odd constant. */
  constructor(seed: u32) {
    this.state = seed != 0 ? seed : 0x9e3779b9;
  }

  next(): u32 {
    let x = this.state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    this.state = x;
    return x;
  }
}
