// Availability layer statistics. Every announce offered to an endpoint table is counted exactly once:
// accepted, or rejected under one reason, so nothing is lost silently.
import { AnnounceVerdict } from "./announce";

export const enum AvailabilityCounter {
  /** Announces this node created. */
  AnnouncesSent = 0,
  /** Verified announces that added or refreshed an entry. */
  AnnouncesAccepted = 1,
  /** Rejections by AnnounceVerdict: RejectedTruncated + (verdict - 1). */
  RejectedTruncated = 2,
  RejectedBadType = 3,
  RejectedBadLength = 4,
  RejectedPuzzle = 5,
  RejectedSignature = 6,
  /** Sequence not above the one stored for that endpoint. */
  RejectedReplay = 7,
  /** A different key with an already stored address (a 2^-128 accident, or a hijack attempt). */
  RejectedAddressTaken = 8,
  /** Valid announce of a new endpoint, but every slot holds an entry too fresh to evict. */
  RejectedTableFull = 9,
  /** Entries replaced by a new endpoint because they were the stalest and old enough. */
  Evictions = 10,
  /** Entries removed by expire() because they were not heard for the table's maximum age. */
  Expiries = 11,
  Count = 12,
}

@inline export function rejectionCounter(verdict: AnnounceVerdict): AvailabilityCounter {
  return <AvailabilityCounter>(AvailabilityCounter.RejectedTruncated + <i32>verdict - 1);
}
