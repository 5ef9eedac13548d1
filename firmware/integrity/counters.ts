// Integrity layer statistics. Every frame that is not delivered upwards is counted under exactly one
// reason, so nothing is lost silently.

export const enum IntegrityCounter {
  /** Frames sent, per level: SentCrc32c + (level - 1). */
  SentCrc32c = 0,
  SentBlake2b = 1,
  SentSipHash = 2,
  SentEd25519 = 3,
  /** Frames that verified and were delivered upwards, per level. */
  AcceptedCrc32c = 4,
  AcceptedBlake2b = 5,
  AcceptedSipHash = 6,
  AcceptedEd25519 = 7,
  /** Frames whose check value, tag or signature did not verify, per level. */
  RejectedCrc32c = 8,
  RejectedBlake2b = 9,
  RejectedSipHash = 10,
  RejectedEd25519 = 11,
  /** Empty, or shorter than its level's header and trailer. */
  Truncated = 12,
  /** Type byte names no level. */
  UnknownLevel = 13,
  /** Level 3 key id matches no address-book entry. */
  UnknownKey = 14,
  /** Level 3 frame authentic, but its entry was already spent (a replay or a stale sender). */
  SpentKey = 15,
  Count = 16,
}

@inline export function sentCounter(level: i32): IntegrityCounter {
  return <IntegrityCounter>(IntegrityCounter.SentCrc32c + level - 1);
}

@inline export function acceptedCounter(level: i32): IntegrityCounter {
  return <IntegrityCounter>(IntegrityCounter.AcceptedCrc32c + level - 1);
}

@inline export function rejectedCounter(level: i32): IntegrityCounter {
  return <IntegrityCounter>(IntegrityCounter.RejectedCrc32c + level - 1);
}
