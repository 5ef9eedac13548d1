// UDP Data Link: the IP overlay. Frames are UDP datagrams sent by the host (`udp.send`) to the
// overlay's peers; 1472 bytes fits an IPv4 path MTU of 1500, so a 1280-byte packet is one datagram.
import { PacketPool } from "../../firmware/link/packet-pool";
import { DatagramLink } from "../datalink/datagram-link";
import { FramedLinkOptions } from "../datalink/framed-link";

/** 1500 (Ethernet) − 20 (IPv4) − 8 (UDP). */
export const UDP_FRAME: i32 = 1472;

/** Sends one datagram to the overlay; returns 1 if sent. */
@external("udp", "send")
declare function hostUdpSend(frame: usize, length: i32): i32;

export class UdpLink extends DatagramLink {
  constructor(pool: PacketPool, maxFrameLength: i32, seed: u32, options: FramedLinkOptions) {
    super(pool, maxFrameLength, seed, options);
  }

  protected transmitFrame(frame: usize, length: i32): bool {
    return hostUdpSend(frame, length) == 1;
  }

  protected airtimeMicroseconds(length: i32): i64 {
    return 0;
  }
}
