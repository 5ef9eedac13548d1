// The table of radio drivers the host drives by handle (radio-api.ts). Not an entry file: nothing here
// is exported to the host.
import { Radio } from "../../radio-drivers/radio";

const RADIO_TABLE_SIZE: i32 = 8;
const radios = new StaticArray<Radio | null>(RADIO_TABLE_SIZE);
let radioCount: i32 = 0;

/** Adds a driver to the handle table (used by the chip-specific create functions). */
export function registerRadio(radio: Radio): i32 {
  if (radioCount == RADIO_TABLE_SIZE) return -1;
  radios[radioCount] = radio;
  return radioCount++;
}

export function radioAt(handle: i32): Radio | null {
  return handle >= 0 && handle < radioCount ? radios[handle] : null;
}
