// The bus tunnel of the QEMU board: its radio SPI/GPIO, entropy and key storage reach the host over
// the console UART, as frames of the serial protocol (docs/serial-protocol.md, "Frames") whose
// payloads start with a type byte of their own, outside the console's message types:
//
//   board → host  BusRequest    50 seq op data…
//   host → board  BusReply      D0 seq status data…
//   host → board  BusInterrupt  51 pin level        (unsolicited: the radio's IRQ line changed)
//
// This file is the wire format only: parse a request into a checked repr, encode replies.

/** First payload byte of each tunnel message. */
export const TunnelType = {
  BusRequest: 0x50,
  BusInterrupt: 0x51,
  BusReply: 0xd0,
} as const;

/** What a BusRequest asks for. */
export const BusOp = {
  SpiTransfer: 0x01,
  GpioWrite: 0x02,
  GpioRead: 0x03,
  Delay: 0x04,
  Entropy: 0x05,
  StorageRead: 0x06,
  StorageWrite: 0x07,
} as const;
export type BusOpCode = (typeof BusOp)[keyof typeof BusOp];

/** BusReply status: 0 is success; the board treats any other value as a failed call. */
export const BusStatus = {
  Ok: 0x00,
  /** The op byte names no operation. */
  UnknownOp: 0x01,
  /** The request is shorter or longer than its op's fields. */
  Malformed: 0x02,
  /** No device on that bus. */
  NoDevice: 0x03,
  /** The device or the storage failed while serving a well-formed request. */
  Failed: 0x04,
} as const;
export type BusStatusCode = (typeof BusStatus)[keyof typeof BusStatus];

/**
 * Key-storage slots the host knows (firmware/native/hal/hal.h hal_storage_slot; the firmware owns the
 * rest, e.g. slot 2, the routing announce sequence). The identity seed: 32 bytes.
 */
export const IDENTITY_SEED_SLOT = 0;
/** Radio settings: region index u8, preset index u8, transmit power dBm s8. */
export const RADIO_SETTINGS_SLOT = 1;

const HEADER_LENGTH = 3; // type, seq, op (request) or status (reply)

/** A well-formed BusRequest. */
export type BusRequest =
  | { seq: number; op: typeof BusOp.SpiTransfer; bus: number; mosi: Uint8Array }
  | { seq: number; op: typeof BusOp.GpioWrite; bus: number; pin: number; level: number }
  | { seq: number; op: typeof BusOp.GpioRead; bus: number; pin: number }
  | { seq: number; op: typeof BusOp.Delay; bus: number; microseconds: number }
  | { seq: number; op: typeof BusOp.Entropy; count: number }
  | { seq: number; op: typeof BusOp.StorageRead; slot: number }
  | { seq: number; op: typeof BusOp.StorageWrite; slot: number; bytes: Uint8Array };

/** A request that cannot be served, with the status to answer it with. */
export interface BadBusRequest {
  /** The sequence number to echo; 0 when the payload was too short to carry one. */
  seq: number;
  status: BusStatusCode;
  reason: string;
}

export type ParsedBusRequest = { ok: true; request: BusRequest } | { ok: false; error: BadBusRequest };

export function isBusRequest(payload: Uint8Array): boolean {
  return payload.length > 0 && payload[0] === TunnelType.BusRequest;
}

/** Checks a BusRequest payload (type byte included) against its op's field lengths. Never throws. */
export function parseBusRequest(payload: Uint8Array): ParsedBusRequest {
  const seq = payload.length > 1 ? payload[1] : 0;
  const bad = (status: BusStatusCode, reason: string): ParsedBusRequest => ({
    ok: false,
    error: { seq, status, reason },
  });
  if (!isBusRequest(payload)) return bad(BusStatus.Malformed, "not a BusRequest");
  if (payload.length < HEADER_LENGTH) return bad(BusStatus.Malformed, "request without an op");
  const op = payload[2];
  const data = payload.subarray(HEADER_LENGTH);
  // Fixed-size ops must match exactly: a board that sends more than it means has a bug worth seeing.
  const exactly = (length: number, name: string): ParsedBusRequest | undefined =>
    data.length === length
      ? undefined
      : bad(BusStatus.Malformed, `${name}: ${data.length} data bytes, expected ${length}`);
  switch (op) {
    case BusOp.SpiTransfer:
      if (data.length < 1) return bad(BusStatus.Malformed, "SPI transfer without a bus");
      return { ok: true, request: { seq, op, bus: data[0], mosi: data.slice(1) } };
    case BusOp.GpioWrite:
      return exactly(3, "GPIO write") ?? { ok: true, request: { seq, op, bus: data[0], pin: data[1], level: data[2] } };
    case BusOp.GpioRead:
      return exactly(2, "GPIO read") ?? { ok: true, request: { seq, op, bus: data[0], pin: data[1] } };
    case BusOp.Delay: {
      const wrong = exactly(5, "delay");
      if (wrong) return wrong;
      const microseconds = (data[1] | (data[2] << 8) | (data[3] << 16) | (data[4] << 24)) >>> 0;
      return { ok: true, request: { seq, op, bus: data[0], microseconds } };
    }
    case BusOp.Entropy:
      return exactly(1, "entropy") ?? { ok: true, request: { seq, op, count: data[0] } };
    case BusOp.StorageRead:
      return exactly(1, "storage read") ?? { ok: true, request: { seq, op, slot: data[0] } };
    case BusOp.StorageWrite:
      if (data.length < 1) return bad(BusStatus.Malformed, "storage write without a slot");
      return { ok: true, request: { seq, op, slot: data[0], bytes: data.slice(1) } };
    default:
      return bad(BusStatus.UnknownOp, `unknown op 0x${op.toString(16).padStart(2, "0")}`);
  }
}

/** A BusRequest payload (the board's side; tests and tools use it). */
export function encodeBusRequest(seq: number, op: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const payload = new Uint8Array(HEADER_LENGTH + data.length);
  payload[0] = TunnelType.BusRequest;
  payload[1] = seq & 0xff;
  payload[2] = op & 0xff;
  payload.set(data, HEADER_LENGTH);
  return payload;
}

/** A BusReply payload. */
export function encodeBusReply(seq: number, status: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const payload = new Uint8Array(HEADER_LENGTH + data.length);
  payload[0] = TunnelType.BusReply;
  payload[1] = seq & 0xff;
  payload[2] = status & 0xff;
  payload.set(data, HEADER_LENGTH);
  return payload;
}

/** A BusInterrupt payload. */
export function encodeBusInterrupt(pin: number, level: number): Uint8Array {
  return Uint8Array.of(TunnelType.BusInterrupt, pin & 0xff, level ? 1 : 0);
}

export interface BusReply {
  seq: number;
  status: number;
  data: Uint8Array;
}

/** Reads a BusReply payload back (tests, and a board model); undefined for anything else. */
export function parseBusReply(payload: Uint8Array): BusReply | undefined {
  if (payload.length < HEADER_LENGTH || payload[0] !== TunnelType.BusReply) return undefined;
  return { seq: payload[1], status: payload[2], data: payload.slice(HEADER_LENGTH) };
}
