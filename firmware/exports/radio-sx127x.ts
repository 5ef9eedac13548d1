// Host-facing constructors of the SX127x family drivers; the generic radio API (radio-api.ts) drives
// them afterwards by handle.
import { SpiBus } from "../../radio-drivers/bus";
import { SX1276 } from "../../radio-drivers/sx127x/sx1276";
import { registerRadio } from "./radio-registry";

/** Creates an SX1276 driver on SPI bus `bus`; returns its radio handle, or -1 when the radio table is full. */
export function sx1276Create(bus: i32): i32 {
  return registerRadio(new SX1276(new SpiBus(bus)));
}
