// The Link contract (DESIGN.md, "One interface, stacked"): every layer and every Data Link offers a
// transmit queue (push) and a receive queue (pop), and advances its timers in poll(now).
import { PacketBuffer } from "./packet-buffer";
import { Status } from "./status";

/** poll() returns this when the link has no timer pending. */
export const NO_DEADLINE: i64 = i64.MAX_VALUE;

export abstract class Link {
  /** Largest payload push() accepts at every protection level this link offers. */
  abstract mtu(): i32;

  /**
   * Queues `packet` for transmission. On Status.Ok the link owns the buffer and releases it to its
   * pool when done; on any other status the caller still owns it. Never throws, never blocks.
   */
  abstract push(packet: PacketBuffer): Status;

  /** The next received payload, owned by the caller (release it to the pool), or null. */
  abstract pop(): PacketBuffer | null;

  /** Advances timers and state machines to `now` (milliseconds); returns the next deadline. */
  abstract poll(now: i64): i64;
}
