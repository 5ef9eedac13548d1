// Data Link frame format (docs/datalink.md). One header byte says whether a frame carries a whole
// packet or one fragment of it; fragments add a 16-bit packet id.
//
//   whole packet : 00 | payload                                   (payload ≤ max frame − 1)
//   fragment     : 10iiiccc | packet id (2, LE) | fragment bytes  (i = index 0..7, c = count − 1)
//
// Every fragment but the last carries exactly maxFrameLength − 3 bytes, so a fragment's offset is
// index · (maxFrameLength − 3) and the packet's length is known when the last fragment arrives.

export const WHOLE_PACKET_HEADER: u8 = 0x00;
export const WHOLE_HEADER_SIZE: i32 = 1;
export const FRAGMENT_FLAG: u8 = 0x80;
export const FRAGMENT_HEADER_SIZE: i32 = 3;
/** Three bits of index and of count − 1. */
export const MAX_FRAGMENTS: i32 = 8;

@inline export function isWholePacket(header: u8): bool {
  return header == WHOLE_PACKET_HEADER;
}

@inline export function isFragment(header: u8): bool {
  return (header & 0xc0) == FRAGMENT_FLAG;
}

@inline export function fragmentIndex(header: u8): i32 {
  return (header >> 3) & 7;
}

@inline export function fragmentCount(header: u8): i32 {
  return (header & 7) + 1;
}

@inline export function fragmentHeader(index: i32, count: i32): u8 {
  return <u8>(FRAGMENT_FLAG | (index << 3) | (count - 1));
}

/** Bytes of packet each fragment (except the last) carries on a radio with `maxFrameLength`. */
@inline export function fragmentPayloadSize(maxFrameLength: i32): i32 {
  return maxFrameLength - FRAGMENT_HEADER_SIZE;
}

/** Frames needed for a packet of `length` bytes. */
export function framesFor(length: i32, maxFrameLength: i32): i32 {
  if (length + WHOLE_HEADER_SIZE <= maxFrameLength) return 1;
  const perFragment = fragmentPayloadSize(maxFrameLength);
  return (length + perFragment - 1) / perFragment;
}
