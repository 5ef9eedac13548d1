// Message layouts of the serial protocol (docs/serial-protocol.md, "Messages"): type codes, the
// header every message starts with, and the offsets of each body. Console reads and writes through
// these names only.

/** The protocol this firmware speaks, sent in Identity. */
export const PROTOCOL_VERSION: u8 = 1;

/** Requests are 01–3F, their responses the same with the top bit set, events C0–DF, Error E0. */
export const enum MessageType {
  Hello = 0x01,
  Send = 0x02,
  Stats = 0x03,
  ConfigGet = 0x04,
  ConfigSet = 0x05,
  Ping = 0x06,
  Reboot = 0x07,
  ContactSet = 0x08,
  Identity = 0x81,
  SendResult = 0x82,
  StatsReport = 0x83,
  Config = 0x84,
  Pong = 0x86,
  RebootAck = 0x87,
  ContactAck = 0x88,
  Received = 0xc0,
  Log = 0xc1,
  Error = 0xe0,
}

/** The response type of a request type. */
export const RESPONSE_BIT: u8 = 0x80;

// Header: type (1), request id (2, little-endian; 0 in events).
export const TYPE_OFFSET: i32 = 0;
export const REQUEST_ID_OFFSET: i32 = 1;
export const MESSAGE_HEADER_SIZE: i32 = 3;
export const EVENT_REQUEST_ID: u16 = 0;

export const enum ErrorCode {
  UnknownMessage = 1,
  Malformed = 2,
  BadValue = 3,
  NotReady = 4,
}

export const enum LogLevel {
  Error = 0,
  Warning = 1,
  Info = 2,
  Debug = 3,
}

// Identity body.
export const IDENTITY_PROTOCOL_OFFSET: i32 = 0;
export const IDENTITY_RADIO_OFFSET: i32 = 1;
export const IDENTITY_MTU_OFFSET: i32 = 2;
export const IDENTITY_PUBLIC_KEY_OFFSET: i32 = 4;
export const IDENTITY_FINGERPRINT_OFFSET: i32 = 36;
/** Then: version length (1), version, board name length (1), board name. */
export const IDENTITY_STRINGS_OFFSET: i32 = 46;

// Send body.
export const SEND_LEVEL_OFFSET: i32 = 0;
export const SEND_FLAGS_OFFSET: i32 = 1;
export const SEND_CONTACT_OFFSET: i32 = 2;
export const SEND_DESTINATION_OFFSET: i32 = 4;
export const SEND_PAYLOAD_OFFSET: i32 = 36;
export const SEND_FLAG_BROADCAST: u8 = 1;
export const SEND_FLAG_CONTACT: u8 = 2;

// ContactSet body: address-book entry (u16), flags, the contact's endpoint key (32), its SipHash key (16).
export const CONTACT_INDEX_OFFSET: i32 = 0;
export const CONTACT_FLAGS_OFFSET: i32 = 2;
export const CONTACT_ENDPOINT_OFFSET: i32 = 3;
export const CONTACT_KEY_OFFSET: i32 = 35;
export const CONTACT_SET_SIZE: i32 = 51;
export const CONTACT_FLAG_REUSABLE: u8 = 1;
export const CONTACT_FLAG_REMOVE: u8 = 2;
/** ContactAck body: the entry (u16). */
export const CONTACT_ACK_SIZE: i32 = 2;

// SendResult body.
export const SEND_RESULT_STATUS_OFFSET: i32 = 0;
export const SEND_RESULT_LEVEL_OFFSET: i32 = 1;
export const SEND_RESULT_MTU_OFFSET: i32 = 2;
export const SEND_RESULT_SIZE: i32 = 4;

// StatsReport: groups of (id, count, count × u64).
export const enum StatsGroup {
  DataLink = 1,
  Integrity = 2,
  Serial = 3,
  Availability = 4,
}

/** The Serial group, in wire order: the decoder's counters first, then the console's own. */
export const enum SerialCounter {
  FramesReceived = 0,
  BadCrc = 1,
  Oversize = 2,
  BadHeader = 3,
  GarbageBytes = 4,
  FramesSent = 5,
  UnknownMessages = 6,
  MalformedMessages = 7,
  Count = 8,
}

// ConfigSet body.
export const CONFIG_SET_MASK_OFFSET: i32 = 0;
export const CONFIG_SET_REGION_OFFSET: i32 = 1;
export const CONFIG_SET_PRESET_OFFSET: i32 = 2;
export const CONFIG_SET_POWER_OFFSET: i32 = 3;
export const CONFIG_SET_SIZE: i32 = 4;
export const CONFIG_CHANGES_REGION: u8 = 1;
export const CONFIG_CHANGES_PRESET: u8 = 2;
export const CONFIG_CHANGES_POWER: u8 = 4;
/** Transmit power a ConfigSet may store; the chip and the region's limit narrow it when applied. */
export const MIN_TX_POWER_DBM: i32 = -9;
export const MAX_TX_POWER_DBM: i32 = 30;

// Config body.
export const CONFIG_STORED_REGION_OFFSET: i32 = 0;
export const CONFIG_STORED_PRESET_OFFSET: i32 = 1;
export const CONFIG_STORED_POWER_OFFSET: i32 = 2;
export const CONFIG_FLAGS_OFFSET: i32 = 3;
export const CONFIG_RUNNING_REGION_OFFSET: i32 = 4;
export const CONFIG_RUNNING_PRESET_OFFSET: i32 = 5;
export const CONFIG_RUNNING_POWER_OFFSET: i32 = 6;
export const CONFIG_EFFECTIVE_POWER_OFFSET: i32 = 7;
/** Then: region name length (1), region name, preset name length (1), preset name. */
export const CONFIG_NAMES_OFFSET: i32 = 8;
export const CONFIG_FLAG_REBOOT_REQUIRED: u8 = 1;
/** Effective power when the node has no LoRa radio. */
export const NO_TX_POWER: i8 = -128;

// Received event body.
export const RECEIVED_LAYER_OFFSET: i32 = 0;
export const RECEIVED_LEVEL_OFFSET: i32 = 1;
export const RECEIVED_FLAGS_OFFSET: i32 = 2;
export const RECEIVED_RESERVED_OFFSET: i32 = 3;
export const RECEIVED_CONTACT_OFFSET: i32 = 4;
export const RECEIVED_RSSI_OFFSET: i32 = 6;
export const RECEIVED_SNR_OFFSET: i32 = 8;
export const RECEIVED_SIGNER_OFFSET: i32 = 10;
export const RECEIVED_PAYLOAD_OFFSET: i32 = 42;
export const RECEIVED_FLAG_SIGNER: u8 = 1;
export const RECEIVED_FLAG_CONTACT: u8 = 2;
export const RECEIVED_FLAG_RADIO_QUALITY: u8 = 4;
/** DESIGN.md's layer numbers of the layers that can top a node's stack. */
export const INTEGRITY_LAYER: u8 = 3;
export const AVAILABILITY_LAYER: u8 = 4;
/** Layer 4 Received: the reserved byte carries the hops travelled, then the source address precedes the payload. */
export const RECEIVED_HOPS_OFFSET: i32 = 3;
export const RECEIVED_SOURCE_OFFSET: i32 = 42;
export const RECEIVED_ROUTED_PAYLOAD_OFFSET: i32 = 58;

// Log event and Error bodies.
export const LOG_LEVEL_OFFSET: i32 = 0;
export const LOG_TEXT_OFFSET: i32 = 1;
export const ERROR_CODE_OFFSET: i32 = 0;
export const ERROR_TEXT_OFFSET: i32 = 1;
