// The Semtech SX1276: the SX127x family member covering 137–1020 MHz (bands 1–3 of the datasheet
// frequency band table), RegVersion 0x12. Everything else is the family driver.
import { SpiBus } from "../bus";
import { SX1276_VERSION } from "./registers";
import { SX127x } from "./sx127x";

export const SX1276_MIN_FREQUENCY_HZ: u32 = 137_000_000;
export const SX1276_MAX_FREQUENCY_HZ: u32 = 1_020_000_000;

export class SX1276 extends SX127x {
  constructor(bus: SpiBus) {
    super(bus, SX1276_VERSION, SX1276_MIN_FREQUENCY_HZ, SX1276_MAX_FREQUENCY_HZ);
  }
}
