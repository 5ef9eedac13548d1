// How far the frame a chip model's demodulator is locked onto has got, shared by the SX1262 and SX1276
// models so the two chips cannot drift apart on when a reception is in progress. Both go through the
// same stages (SX1261/2 datasheet §13.3.1 Table 13-29: PreambleDetected, then HeaderValid/HeaderErr;
// SX1276 datasheet §4.1.6 and RegModemStat: signal detected/synchronized, then header info valid /
// ValidHeader): the preamble counts as detected PREAMBLE_DETECTION_SYMBOLS symbols after the chip began
// to hear it (preambleDetectedAtMicroseconds, lora-receiver.ts), an explicit header has arrived at its
// last symbol (LoRaReception.headerEndMicroseconds), and the frame is over at deliver(), at the medium's
// receptionEnded() or when the chip leaves RX. What each chip shows at each stage (SX1262 IRQ flags and
// DIO1, SX1276 ValidHeader, RegModemStat and RegRxHeaderCnt) stays in its model, behind ReceptionReport.
import { preambleDetectedAtMicroseconds } from "../channel/lora-receiver.js";
import type { LoRaReception } from "../radio-medium.js";

/** How far the frame being received has got. */
export enum ReceptionStage {
  /** Locked onto the preamble, not yet detected (also: no reception). */
  Locked,
  PreambleDetected,
  /** An explicit header arrived and the chip took it. */
  HeaderValid,
  /** The header failed (collision, or refused by the chip): the frame is over for the chip. */
  HeaderFailed,
}

/** What a chip decides and shows as its reception advances; the tracker calls these as stages change. */
export interface ReceptionReport {
  /** Whether the chip waits for an explicit header; without one nothing changes until the frame ends. */
  explicitHeader(reception: LoRaReception): boolean;
  /** Whether the chip takes the header that has just arrived. */
  acceptsHeader(reception: LoRaReception): boolean;
  /** The stage has just become PreambleDetected. */
  preambleDetected?(): void;
  /** The stage has just become HeaderValid. */
  headerValid?(reception: LoRaReception): void;
  /** The stage has just become HeaderFailed. */
  headerFailed?(): void;
}

export class ReceptionTracker {
  private frame: LoRaReception | null = null;
  private currentStage = ReceptionStage.Locked;
  private detectedAt = 0;

  /** `now` is the medium's clock, in simulated microseconds. */
  constructor(
    private readonly now: () => number,
    private readonly report: ReceptionReport,
  ) {}

  /** The frame being received, or null. */
  get current(): LoRaReception | null {
    return this.frame;
  }

  /** The stage reached as of the last advance() (Locked without a reception). */
  get stage(): ReceptionStage {
    return this.currentStage;
  }

  /** When the preamble of the frame being received counts as detected. */
  get preambleDetectedAt(): number {
    return this.detectedAt;
  }

  /** The medium locked the demodulator onto `reception` now; end() any earlier one first. */
  start(reception: LoRaReception): void {
    this.frame = reception;
    this.currentStage = ReceptionStage.Locked;
    this.detectedAt = preambleDetectedAtMicroseconds(
      reception.modulation,
      this.now(),
      reception.preambleEndMicroseconds,
    );
    this.advance();
  }

  /** Brings the reception up to now, reporting each stage entered in order. */
  advance(): void {
    const reception = this.frame;
    if (reception === null) return;
    const now = this.now();
    if (this.currentStage === ReceptionStage.Locked) {
      if (now < this.detectedAt) return;
      this.currentStage = ReceptionStage.PreambleDetected;
      this.report.preambleDetected?.();
    }
    // Implicit header: no header, so nothing more until the frame ends.
    if (this.currentStage !== ReceptionStage.PreambleDetected || !this.report.explicitHeader(reception)) return;
    if (now < reception.headerEndMicroseconds) return;
    if (this.report.acceptsHeader(reception)) {
      this.currentStage = ReceptionStage.HeaderValid;
      this.report.headerValid?.(reception);
    } else {
      this.currentStage = ReceptionStage.HeaderFailed;
      this.report.headerFailed?.();
    }
  }

  /** Brings the reception up to now, then forgets it; returns the stage it had reached. */
  end(): ReceptionStage {
    this.advance();
    const stage = this.currentStage;
    this.frame = null;
    this.currentStage = ReceptionStage.Locked;
    return stage;
  }
}
