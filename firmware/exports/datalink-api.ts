// Host-facing API of the Data Links: statistics of any framed link, and datagram links (ESP-NOW,
// UDP) whose received frames the host hands in. Bad handles return -1, never trap.
import { DATALINK_MTU } from "../link/datalink";
import { DataLinkCounter } from "../../radio-drivers/datalink/counters";
import { DatagramLink } from "../../radio-drivers/datalink/datagram-link";
import { FramedLink, FramedLinkOptions } from "../../radio-drivers/datalink/framed-link";
import { ESPNOW_V1_FRAME, ESPNOW_V2_FRAME, EspNowLink } from "../../radio-drivers/espnow/espnow-link";
import { UDP_FRAME, UdpLink } from "../../radio-drivers/udp/udp-link";
import { addLink, INVALID_HANDLE, linkAt, poolAt } from "./handles";
import { IO_DATA_SIZE, ioDataPointer } from "./io-window";

export const enum DatagramKind {
  EspNowV1 = 0,
  EspNowV2 = 1,
  Udp = 2,
}

function framedAt(handle: i32): FramedLink | null {
  const link = linkAt(handle);
  return link instanceof FramedLink ? changetype<FramedLink>(link) : null;
}

function datagramAt(handle: i32): DatagramLink | null {
  const link = linkAt(handle);
  return link instanceof DatagramLink ? changetype<DatagramLink>(link) : null;
}

/** The Data Link MTU every radio offers. */
export function dataLinkMtu(): i32 {
  return DATALINK_MTU;
}

/**
 * Creates an ESP-NOW or UDP Data Link on `pool`. `maxFrameLength` 0 takes the transport's default
 * (250 ESP-NOW v1, 1470 v2, 1472 UDP); smaller values (≥ 163) force fragmentation, for tests.
 */
export function datagramLinkCreate(kind: i32, pool: i32, maxFrameLength: i32, seed: u32): i32 {
  const p = poolAt(pool);
  if (p === null) return INVALID_HANDLE;
  let frame = maxFrameLength;
  const defaultFrame = kind == DatagramKind.EspNowV1 ? ESPNOW_V1_FRAME : kind == DatagramKind.EspNowV2 ? ESPNOW_V2_FRAME : UDP_FRAME;
  if (kind < DatagramKind.EspNowV1 || kind > DatagramKind.Udp) return INVALID_HANDLE;
  if (frame == 0) frame = defaultFrame;
  if (frame < 163 || frame > defaultFrame) return INVALID_HANDLE;
  const options = new FramedLinkOptions();
  if (kind == DatagramKind.Udp) return addLink(new UdpLink(p, frame, seed, options));
  return addLink(new EspNowLink(p, frame, 1_000_000, seed, options));
}

/** Hands the first `length` bytes of the I/O data area to a datagram link as a received frame. */
export function dataLinkReceiveFrame(link: i32, length: i32): i32 {
  const l = datagramAt(link);
  if (l === null || length < 0 || length > IO_DATA_SIZE) return -1;
  l.receiveFrame(ioDataPointer(), length);
  return 1;
}

export function dataLinkCounter(link: i32, which: i32): f64 {
  const l = framedAt(link);
  if (l === null || which < 0 || which >= DataLinkCounter.Count) return -1;
  return <f64>l.counter(<DataLinkCounter>which);
}

/** Packets waiting to be sent (including one in progress). */
export function dataLinkBacklog(link: i32): i32 {
  const l = framedAt(link);
  return l === null ? -1 : l.transmitBacklog();
}

/** Largest frame the link's radio or transport sends. */
export function dataLinkMaxFrameLength(link: i32): i32 {
  const l = framedAt(link);
  return l === null ? -1 : l.maxFrameLength;
}
