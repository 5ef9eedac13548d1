// The LoRa Data Link: FramedLink over a LoRa radio driver, adding listen-before-talk (channel
// activity detection with random back-off) and the region's duty-cycle budget. A state machine
// driven by poll(now): every radio operation starts work and its completion arrives as an event.
import { NO_DEADLINE } from "../../firmware/link/link";
import { PacketPool } from "../../firmware/link/packet-pool";
import { timeOnAirMicroseconds } from "../lora/airtime";
import { LoRaConfig, symbolMicroseconds } from "../lora/lora-config";
import { Radio, RadioEvent } from "../radio";
import { DataLinkCounter } from "./counters";
import { DutyCycleBudget } from "./duty-cycle";
import { FramedLink, FramedLinkOptions } from "./framed-link";

export const enum LoRaLinkState {
  /** Listening; nothing to send, or deciding what to send next. */
  Receiving = 0,
  /** Channel activity detection before a frame. */
  CheckingChannel = 1,
  /** The channel was busy: listening until a random back-off ends. */
  BackingOff = 2,
  /** The duty-cycle budget is spent: listening until it refills enough for the next frame. */
  WaitingForDutyCycle = 3,
  Transmitting = 4,
}

/** Back-off doubles per busy attempt up to 2^6 slots. */
const MAX_BACKOFF_EXPONENT: i32 = 6;
/**
 * Before the first CAD of a frame, wait 0..(2^4 − 1) slots at random: two nodes that get work at the
 * same moment (both answering one frame, say) would otherwise both find the channel clear and collide.
 */
const INITIAL_BACKOFF_EXPONENT: u32 = 4;
/** Extra time allowed for an operation's completion interrupt before the link recovers the radio. */
const WATCHDOG_MARGIN_MS: i64 = 1_000;

export class LoRaLink extends FramedLink {
  private linkState: LoRaLinkState = LoRaLinkState.Receiving;
  /** When the current wait (back-off, duty cycle) or operation watchdog ends, ms. */
  private deadline: i64 = NO_DEADLINE;
  private busyAttempts: i32 = 0;
  /** The current frame has had its initial random wait. */
  private initialWaitDone: bool = false;
  private transmittingLength: i32 = 0;
  private transmittingAirtime: i64 = 0;
  private readonly backoffSlotMs: i64;
  private readonly config: LoRaConfig = new LoRaConfig();
  /** Times the watchdog had to recover the radio after a lost interrupt. */
  radioRecoveries: u32 = 0;

  constructor(
    readonly radio: Radio,
    config: LoRaConfig,
    private readonly dutyCycle: DutyCycleBudget,
    pool: PacketPool,
    seed: u32,
    options: FramedLinkOptions,
  ) {
    super(pool, radio.maxFrameLength(), seed, options);
    this.config.copyFrom(config);
    // A slot is long enough for a CAD (≈2 symbols) plus a short frame's preamble to start.
    const symbolMs = symbolMicroseconds(config.spreadingFactor, config.bandwidthHz) / 1000;
    this.backoffSlotMs = max<i64>(1, <i64>Math.ceil(symbolMs * 12));
    // Every fragment of a packet must be able to arrive before the partial packet expires.
    const packetAirtimeMs = (timeOnAirMicroseconds(config, this.maxFrameLength) * 8) / 1000;
    this.reassembler.timeoutMs = max<i64>(options.reassemblyTimeoutMs, packetAirtimeMs * 4 + 2_000);
  }

  state(): LoRaLinkState {
    return this.linkState;
  }

  /** Puts the radio into receive; call once after the radio's begin(). */
  start(): void {
    this.radio.startReceive();
    this.linkState = LoRaLinkState.Receiving;
  }

  poll(now: i64): i64 {
    if (this.radio.interruptPending()) this.onRadioEvents(this.radio.takeEvents(), now);
    if (this.deadline != NO_DEADLINE && now >= this.deadline) this.onDeadline(now);
    if (this.linkState == LoRaLinkState.Receiving) this.startNextFrame(now);
    const expiry = this.reassembler.expire(now);
    return min(this.deadline, expiry);
  }

  private onRadioEvents(events: u32, now: i64): void {
    if ((events & RadioEvent.RxDone) != 0) {
      const length = this.radio.readFrame(this.frame);
      if (length >= 0) {
        this.frameQuality(this.radio.lastRssiDbm(), this.radio.lastSnrDb());
        this.frameReceived(this.frame, length, now);
      }
    }
    if ((events & (RadioEvent.CrcError | RadioEvent.HeaderError)) != 0) {
      this.add(DataLinkCounter.DroppedRadioError, 1);
    }
    if ((events & RadioEvent.TxDone) != 0 && this.linkState == LoRaLinkState.Transmitting) {
      this.onTransmitDone();
    }
    if ((events & RadioEvent.CadDone) != 0 && this.linkState == LoRaLinkState.CheckingChannel) {
      if ((events & RadioEvent.CadDetected) != 0) this.onChannelBusy(now);
      else this.onChannelClear(now);
    }
  }

  private onTransmitDone(): void {
    this.frameSent(this.transmittingLength, this.transmittingAirtime);
    this.busyAttempts = 0;
    this.initialWaitDone = false;
    this.deadline = NO_DEADLINE;
    this.radio.startReceive();
    this.linkState = LoRaLinkState.Receiving;
  }

  private onChannelBusy(now: i64): void {
    this.add(DataLinkCounter.ChannelBusy, 1);
    this.busyAttempts = min(this.busyAttempts + 1, MAX_BACKOFF_EXPONENT);
    const slots = 1 + <i64>(this.nextRandom() % (<u32>1 << <u32>this.busyAttempts));
    this.deadline = now + slots * this.backoffSlotMs;
    this.radio.startReceive();
    this.linkState = LoRaLinkState.BackingOff;
  }

  private onChannelClear(now: i64): void {
    const length = this.buildFrame();
    const airtime = this.radio.timeOnAirMicroseconds(length);
    // The budget was checked before the CAD; the CAD itself takes only a few symbols of time.
    this.dutyCycle.spend(airtime, now);
    this.transmittingLength = length;
    this.transmittingAirtime = airtime;
    if (!this.radio.startTransmit(this.frame, length)) {
      this.recoverRadio();
      return;
    }
    this.linkState = LoRaLinkState.Transmitting;
    this.deadline = now + airtime / 1000 + WATCHDOG_MARGIN_MS;
  }

  /** A wait ended, or an operation's interrupt never came. */
  private onDeadline(now: i64): void {
    this.deadline = NO_DEADLINE;
    switch (this.linkState) {
      case LoRaLinkState.BackingOff:
      case LoRaLinkState.WaitingForDutyCycle:
        this.linkState = LoRaLinkState.Receiving;
        break;
      case LoRaLinkState.CheckingChannel:
      case LoRaLinkState.Transmitting:
        this.recoverRadio();
        break;
    }
  }

  /** Starts listen-before-talk for the next frame if there is one and the duty cycle allows it. */
  private startNextFrame(now: i64): void {
    if (!this.hasFrameToSend()) return;
    const airtime = this.radio.timeOnAirMicroseconds(this.nextFrameLength());
    const wait = this.dutyCycle.waitMs(airtime, now);
    if (wait > 0) {
      this.add(DataLinkCounter.DutyCycleWaits, 1);
      this.deadline = now + wait;
      this.linkState = LoRaLinkState.WaitingForDutyCycle;
      return;
    }
    if (!this.initialWaitDone) {
      this.initialWaitDone = true;
      const slots = <i64>(this.nextRandom() % (<u32>1 << INITIAL_BACKOFF_EXPONENT));
      if (slots > 0) {
        this.deadline = now + slots * this.backoffSlotMs;
        this.linkState = LoRaLinkState.BackingOff;
        return;
      }
    }
    // A frame arriving now would be lost to the CAD (both chips leave receive for it), and it is what
    // a CAD is for: the channel is busy.
    if (this.radio.receptionInProgress(now)) {
      this.onChannelBusy(now);
      return;
    }
    if (!this.radio.startChannelActivityDetection()) {
      this.recoverRadio();
      return;
    }
    this.linkState = LoRaLinkState.CheckingChannel;
    this.deadline = now + WATCHDOG_MARGIN_MS;
  }

  private recoverRadio(): void {
    this.radioRecoveries++;
    this.radio.standby();
    this.radio.startReceive();
    this.linkState = LoRaLinkState.Receiving;
    this.deadline = NO_DEADLINE;
  }
}
