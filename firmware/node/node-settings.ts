// What a node is made of, chosen at start-up from the board, the region and the preset.

export const enum RadioKind {
  Sx1262 = 0,
  Sx1276 = 1,
  EspNowV1 = 2,
  EspNowV2 = 3,
  Udp = 4,
}

export const enum NodeFlag {
  /** SX126x drives its RF switch from DIO2. */
  Dio2AsRfSwitch = 1,
  /** The MCU drives RX/TX enable lines. */
  McuRfSwitch = 2,
  /** SX1262 high-power PA (SX1261 otherwise). */
  HighPowerPa = 4,
}

export const enum NodeError {
  Ok = 0,
  BadArgument = -1,
  /** The frequency lies in no sub-band of the region: transmitting there is not allowed. */
  FrequencyNotAllowed = -2,
  /** The radio chip did not answer as expected (wiring, wrong chip, no power). */
  RadioNotFound = -3,
  /** This instance already runs a node. */
  AlreadyCreated = -4,
}

/** How the node's Availability layer routes (docs/routing.md); None keeps Integrity on top. */
export const enum NodeRouting {
  None = -1,
  Flooding = 0,
  NextHop = 1,
  Electric = 2,
}

export class NodeSettings {
  radioKind: RadioKind = RadioKind.Sx1262;
  /** SPI bus of the radio (LoRa kinds). */
  bus: i32 = 0;
  presetIndex: i32 = 0;
  regionIndex: i32 = 0;
  /** 0 = the region's default frequency. */
  frequencyHz: u32 = 0;
  /** Requested power; clamped to the sub-band's legal limit. */
  txPowerDbm: i32 = 14;
  tcxoMillivolts: i32 = 0;
  flags: i32 = NodeFlag.HighPowerPa;
  poolSize: i32 = 16;
  addressBookSize: i32 = 16;
  /** Seeds the node's back-off and packet ids; on a board it comes from the hardware RNG. */
  seed: u32 = 1;
  /** The Availability layer on top of Integrity, and its strategy. */
  routing: NodeRouting = NodeRouting.None;
  /** Sequence of the last announce this identity sent (the board persists it; announces go above it). */
  lastAnnounceSequence: u32 = 0;
}
