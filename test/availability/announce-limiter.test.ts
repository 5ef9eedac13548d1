import { describe, expect, it } from "vitest";
import { Availability } from "../../host/wasm/availability.js";
import { Stack } from "../../host/wasm/stack.js";

// An announce of 168 bytes at SF7BW125 takes about 0.3 s on air.
const ANNOUNCE_AIRTIME_US = 300_000;

describe("the announce airtime budget", () => {
  it("holds announces to 2 % of airtime by default over an hour of eager announcing", async () => {
    const availability = new Availability(await Stack.load());
    const burstUs = 2 * ANNOUNCE_AIRTIME_US;
    const limiter = availability.createLimiter({ burstUs });
    let airtimeUs = 0;
    const hourMs = 3_600_000;
    for (let now = 0; now <= hourMs; now += 100) {
      if (availability.mayAnnounce(limiter, ANNOUNCE_AIRTIME_US, now)) {
        availability.spend(limiter, ANNOUNCE_AIRTIME_US, now);
        airtimeUs += ANNOUNCE_AIRTIME_US;
      }
    }
    const share = airtimeUs / (hourMs * 1000);
    // At most share·T + burst, and close to it: the bucket refills at exactly 2 %.
    expect(airtimeUs).toBeLessThanOrEqual(0.02 * hourMs * 1000 + burstUs);
    expect(share).toBeGreaterThan(0.0195);
  });

  it("follows a configured share, starts full, and does not refill when the clock goes backwards", async () => {
    const availability = new Availability(await Stack.load());
    const limiter = availability.createLimiter({ share: 0.1, burstUs: ANNOUNCE_AIRTIME_US, nowMs: 1000 });
    expect(availability.mayAnnounce(limiter, ANNOUNCE_AIRTIME_US, 1000)).toBe(true);
    availability.spend(limiter, ANNOUNCE_AIRTIME_US, 1000);
    expect(availability.mayAnnounce(limiter, ANNOUNCE_AIRTIME_US, 500)).toBe(false);
    // 10 % of 2999 ms is 299.9 ms of airtime: one microsecond short… then enough.
    expect(availability.mayAnnounce(limiter, ANNOUNCE_AIRTIME_US, 3999)).toBe(false);
    expect(availability.mayAnnounce(limiter, ANNOUNCE_AIRTIME_US, 4000)).toBe(true);
    // An announce longer than the burst can never be sent: the burst must cover the longest announce.
    expect(availability.mayAnnounce(limiter, ANNOUNCE_AIRTIME_US + 1, 1e9)).toBe(false);
  });

  it("refuses a share outside (0, 1]", async () => {
    const availability = new Availability(await Stack.load());
    expect(() => availability.createLimiter({ share: 0, burstUs: 1 })).toThrow();
    expect(() => availability.createLimiter({ share: 1.5, burstUs: 1 })).toThrow();
  });
});
