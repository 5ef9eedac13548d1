// Status codes every Link returns from push(). A push never throws and never blocks: it either takes
// the packet (Ok) or hands it back with the reason.

export const enum Status {
  /** The link took the packet; the caller no longer owns the buffer. */
  Ok = 0,
  /** The transmit queue is full; try again after poll(). */
  Full = 1,
  /** The payload is larger than this link's MTU for the chosen protection. */
  TooBig = 2,
  /** No packet buffer was free. */
  NoBuffer = 3,
  /** The requested protection needs a key this node does not have (address-book entry, identity). */
  NoKey = 4,
  /** The address-book entry was single-use and has been used; the application must renew it. */
  KeySpent = 5,
  /** A parameter was outside its range (unknown level, contact index out of bounds, …). */
  BadArgument = 6,
  /** The Availability layer knows no subscriber of the topic or holder of the service. */
  NoRoute = 7,
}

export function statusName(status: Status): string {
  switch (status) {
    case Status.Ok: return "ok";
    case Status.Full: return "full";
    case Status.TooBig: return "too-big";
    case Status.NoBuffer: return "no-buffer";
    case Status.NoKey: return "no-key";
    case Status.KeySpent: return "key-spent";
    case Status.BadArgument: return "bad-argument";
    case Status.NoRoute: return "no-route";
    default: return "unknown";
  }
}
