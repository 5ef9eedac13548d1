// Regional duty-cycle limiter. ETSI EN 300 220 limits the share of an hour a transmitter may be on
// air in each sub-band (1 % = 36 s per hour). A token bucket holding one hour's allowance, refilled
// at the duty-cycle rate, never exceeds that share over any hour; a frame that does not fit waits
// (it is queued, never sent early and never dropped).

const HOUR_MICROSECONDS: f64 = 3_600_000_000;

export class DutyCycleBudget {
  private readonly rate: f64;
  private readonly capacity: f64;
  /** Airtime still allowed, microseconds. */
  private available: f64;
  private updatedAtMs: i64 = 0;

  /** `permille` of the time may be spent transmitting; 1000 means no limit. */
  constructor(readonly permille: i32) {
    this.rate = <f64>permille / 1000;
    this.capacity = this.rate * HOUR_MICROSECONDS;
    this.available = this.capacity;
  }

  @inline isUnlimited(): bool {
    return this.permille >= 1000;
  }

  /** Milliseconds to wait before `airtimeMicroseconds` may be spent (0 = now). */
  waitMs(airtimeMicroseconds: i64, nowMs: i64): i64 {
    if (this.isUnlimited()) return 0;
    this.refill(nowMs);
    const missing = <f64>airtimeMicroseconds - this.available;
    if (missing <= 0) return 0;
    return <i64>Math.ceil(missing / this.rate / 1000);
  }

  /** Spends airtime; the caller has checked waitMs() == 0. */
  spend(airtimeMicroseconds: i64, nowMs: i64): void {
    if (this.isUnlimited()) return;
    this.refill(nowMs);
    this.available -= <f64>airtimeMicroseconds;
  }

  private refill(nowMs: i64): void {
    if (nowMs > this.updatedAtMs) {
      this.available = min(this.capacity, this.available + <f64>(nowMs - this.updatedAtMs) * 1000 * this.rate);
      this.updatedAtMs = nowMs;
    }
  }
}
