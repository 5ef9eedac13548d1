// Host-facing constructor of SX1262 drivers; everything after creation goes through radio-api.ts.
import { SpiBus } from "../../radio-drivers/bus";
import { SX1262 } from "../../radio-drivers/sx126x/sx1262";
import { registerRadio } from "./radio-registry";

/**
 * Drivers are created at start-up, one per radio on the board. Each allocates memory that is never
 * freed (stub runtime), so the number created is capped even if a host keeps calling.
 */
const MAX_SX1262_DRIVERS: i32 = 4;
let sx1262DriversCreated: i32 = 0;

/** Creates an SX1262 driver on SPI bus `bus` and returns its radio handle, or -1. */
export function sx1262Create(bus: i32): i32 {
  if (sx1262DriversCreated >= MAX_SX1262_DRIVERS) return -1;
  // Counted even when the radio table is full: the allocation happened either way.
  sx1262DriversCreated++;
  return registerRadio(new SX1262(new SpiBus(bus)));
}
