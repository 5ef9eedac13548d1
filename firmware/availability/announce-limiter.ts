// Announce airtime budget (docs/routing.md, "Rate limit"): announces may use at most a configured
// share of airtime — Reticulum caps them at 2 % of bandwidth. A token bucket of airtime microseconds:
// it earns `share` µs per µs of wall time and holds at most `burstUs`, so over any window T the
// announces it lets through take at most share·T + burst of airtime.

/** 2 % in millionths, Reticulum's announce cap. */
export const DEFAULT_ANNOUNCE_SHARE_MILLIONTHS: i32 = 20_000;

export class AnnounceLimiter {
  /** Airtime available now, in µs. May go negative when a caller spends without asking. */
  private tokensUs: i64;
  private lastRefillMs: i64;

  constructor(
    /** Share of airtime for announces, in millionths (20,000 = 2 %); 1..1,000,000. */
    readonly shareMillionths: i32,
    /** The largest burst, in µs of airtime; must cover the longest announce or none is ever allowed. */
    readonly burstUs: i64,
    nowMs: i64,
  ) {
    // Starts full, so a node can announce itself as soon as it boots.
    this.tokensUs = burstUs;
    this.lastRefillMs = nowMs;
  }

  /** True when an announce taking `airtimeUs` of airtime fits the budget at `nowMs`. */
  mayAnnounce(airtimeUs: i64, nowMs: i64): bool {
    this.refill(nowMs);
    return airtimeUs >= 0 && this.tokensUs >= airtimeUs;
  }

  /** Records an announce of `airtimeUs` sent at `nowMs`. */
  spend(airtimeUs: i64, nowMs: i64): void {
    this.refill(nowMs);
    if (airtimeUs > 0) this.tokensUs -= airtimeUs;
  }

  availableUs(nowMs: i64): i64 {
    this.refill(nowMs);
    return this.tokensUs;
  }

  private refill(nowMs: i64): void {
    // A clock that went backwards refills nothing (and never drains).
    if (nowMs <= this.lastRefillMs) return;
    const elapsedMs = nowMs - this.lastRefillMs;
    this.lastRefillMs = nowMs;
    // µs earned = elapsed ms × 1000 µs/ms × share/10^6 = elapsed ms × share / 1000. Clamp the elapsed
    // time first so the product cannot overflow i64 after a very long silence.
    const cappedMs = min(elapsedMs, <i64>1_000_000_000_000);
    this.tokensUs = min(this.burstUs, this.tokensUs + (cappedMs * <i64>this.shareMillionths) / 1000);
  }
}
