// ESP-NOW Data Link: connectionless WiFi frames of 250 bytes (ESP-NOW v1) or 1470 bytes (v2, ESP-IDF
// ≥ 5.4), broadcast to every peer in range. The host (ESP-IDF on a board, the simulator's ESP-NOW
// model) sends with `espnow.send` and hands received frames back through the node's exports.
import { PacketPool } from "../../firmware/link/packet-pool";
import { DatagramLink } from "../datalink/datagram-link";
import { FramedLinkOptions } from "../datalink/framed-link";

export const ESPNOW_V1_FRAME: i32 = 250;
export const ESPNOW_V2_FRAME: i32 = 1470;

/** Broadcasts one frame; returns 1 if queued by the WiFi driver. */
@external("espnow", "send")
declare function hostEspNowSend(frame: usize, length: i32): i32;

export class EspNowLink extends DatagramLink {
  constructor(
    pool: PacketPool,
    maxFrameLength: i32,
    /** PHY rate in bits per second (1 Mbit/s is ESP-NOW's default). */
    private readonly bitsPerSecond: i32,
    seed: u32,
    options: FramedLinkOptions,
  ) {
    super(pool, maxFrameLength, seed, options);
  }

  protected transmitFrame(frame: usize, length: i32): bool {
    return hostEspNowSend(frame, length) == 1;
  }

  protected airtimeMicroseconds(length: i32): i64 {
    // 802.11b long preamble and PLCP header (192 µs) plus the vendor action frame's ≈ 43 bytes of
    // MAC header, category, OUI and vendor element around the payload.
    return 192 + (<i64>(length + 43) * 8 * 1_000_000) / <i64>this.bitsPerSecond;
  }
}
