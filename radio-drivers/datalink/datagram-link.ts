// A Data Link over a transport that sends whole datagrams itself and needs no listen-before-talk or
// duty cycle of ours: ESP-NOW (WiFi does its own CSMA/CA) and UDP (the IP overlay). Frames received
// by the host are handed in through receiveFrame().
import { NO_DEADLINE } from "../../firmware/link/link";
import { PacketPool } from "../../firmware/link/packet-pool";
import { FramedLink, FramedLinkOptions } from "./framed-link";

/** Frames sent per poll at most, so one poll never monopolises a board's main loop. */
const FRAMES_PER_POLL: i32 = 8;

export abstract class DatagramLink extends FramedLink {
  private lastPollMs: i64 = 0;
  /** Times the transport refused a frame (it stays queued and is retried at the next poll). */
  transportRefusals: u32 = 0;

  constructor(pool: PacketPool, maxFrameLength: i32, seed: u32, options: FramedLinkOptions) {
    super(pool, maxFrameLength, seed, options);
  }

  /** Hands `length` bytes at `frame` to the transport; false if it cannot take them now. */
  protected abstract transmitFrame(frame: usize, length: i32): bool;

  /** Airtime a frame of `length` bytes occupies on the medium (0 where there is no shared medium). */
  protected abstract airtimeMicroseconds(length: i32): i64;

  poll(now: i64): i64 {
    this.lastPollMs = now;
    for (let sent = 0; sent < FRAMES_PER_POLL && this.hasFrameToSend(); sent++) {
      const length = this.buildFrame();
      if (!this.transmitFrame(this.frame, length)) {
        this.transportRefusals++;
        return now + 1;
      }
      this.frameSent(length, this.airtimeMicroseconds(length));
    }
    const expiry = this.reassembler.expire(now);
    return this.hasFrameToSend() ? now : min(expiry, NO_DEADLINE);
  }

  /** A frame arrived from the transport (copied by the caller; `frame` is only read). */
  receiveFrame(frame: usize, length: i32): void {
    if (length > this.maxFrameLength) length = -1; // longer than the transport allows: garbage
    this.frameReceived(frame, length < 0 ? 0 : length, this.lastPollMs);
  }
}
