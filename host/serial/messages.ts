// Messages of the serial protocol (docs/serial-protocol.md, "Messages"): typed values, and their
// encoding as frame payloads in both directions. Decoding never throws: a payload that is not a
// well-formed message gives a DecodeError value.

import { type AvailabilityLinkCounters, availabilityLinkCounterNames } from "../wasm/availability.js";
import {
  type DataLinkCounters,
  dataLinkCounterNames,
  type IntegrityCounters,
  type IntegrityLevel,
  integrityCounterNames,
  RadioKind,
  type Status,
} from "../wasm/stack.js";
import { MAX_FRAME_PAYLOAD } from "./frame-codec.js";

export const PROTOCOL_VERSION = 1;
export const MESSAGE_HEADER_SIZE = 3;
/** Request ids are 1..65535; 0 marks events. */
export const EVENT_REQUEST_ID = 0;
export const MAX_REQUEST_ID = 0xffff;
export const PUBLIC_KEY_SIZE = 32;
export const FINGERPRINT_SIZE = 10;
const MAX_BODY_SIZE = MAX_FRAME_PAYLOAD - MESSAGE_HEADER_SIZE;

export enum MessageType {
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

export enum ErrorCode {
  UnknownMessage = 1,
  Malformed = 2,
  BadValue = 3,
  NotReady = 4,
}

export const errorCodeNames: Record<number, string> = {
  [ErrorCode.UnknownMessage]: "unknown-message",
  [ErrorCode.Malformed]: "malformed",
  [ErrorCode.BadValue]: "bad-value",
  [ErrorCode.NotReady]: "not-ready",
};

export enum LogLevel {
  Error = 0,
  Warning = 1,
  Info = 2,
  Debug = 3,
}

export const logLevelNames = ["error", "warning", "info", "debug"] as const;

export function logLevelName(level: number): string {
  return logLevelNames[level] ?? `level-${level}`;
}

/** DESIGN.md's layer numbers, for the layer a Received payload came from. */
export const layerNames: Record<number, string> = {
  2: "datalink",
  3: "integrity",
  4: "availability",
  5: "confidentiality",
  6: "repudiation",
  7: "transactions",
  8: "application",
};

export const radioNames: Record<number, string> = {
  [RadioKind.Sx1262]: "sx1262",
  [RadioKind.Sx1276]: "sx1276",
  [RadioKind.EspNowV1]: "espnow-v1",
  [RadioKind.EspNowV2]: "espnow-v2",
  [RadioKind.Udp]: "udp",
};

/** The board's own counters of this protocol, in the order of firmware/serial/messages.ts SerialCounter. */
export const serialCounterNames = [
  "framesReceived",
  "badCrc",
  "oversize",
  "badHeader",
  "garbageBytes",
  "framesSent",
  "unknownMessages",
  "malformedMessages",
] as const;
export type SerialCounters = Record<(typeof serialCounterNames)[number], number>;

enum StatsGroup {
  DataLink = 1,
  Integrity = 2,
  Serial = 3,
  Availability = 4,
}

/** The layer numbers a Received can come from (DESIGN.md). */
const AVAILABILITY_LAYER = 4;
const ADDRESS_SIZE = 16;

// ---- requests (host → board) ----

export interface Hello {
  type: "hello";
  protocolVersion: number;
}

export interface Send {
  type: "send";
  /** 0 lets the node's profile choose. */
  level: IntegrityLevel;
  /** An endpoint's 32-byte public key, or every node in range. */
  destination: Uint8Array | "broadcast";
  /** Address-book entry to key SipHash with. */
  contact?: number;
  payload: Uint8Array;
}

export interface StatsRequest {
  type: "stats";
}

export interface ConfigGet {
  type: "config-get";
}

/** Fields left out stay as stored. */
export interface ConfigSet {
  type: "config-set";
  regionIndex?: number;
  presetIndex?: number;
  txPowerDbm?: number;
}

export interface Ping {
  type: "ping";
  data: Uint8Array;
}

export interface Reboot {
  type: "reboot";
}

/** Installs (or renews, or removes) an address-book entry: the SipHash key shared with a contact. */
export interface ContactSet {
  type: "contact-set";
  index: number;
  /** The contact's 32-byte public key. */
  endpoint: Uint8Array;
  /** 16-byte SipHash key (ignored with `remove`). */
  key: Uint8Array;
  /** Usable for any number of messages; single-use otherwise (docs/integrity.md). */
  reusable?: boolean;
  remove?: boolean;
}

// ---- responses and events (board → host) ----

export interface Identity {
  type: "identity";
  protocolVersion: number;
  radio: RadioKind;
  /** Payload every Integrity level carries. */
  mtu: number;
  publicKey: Uint8Array;
  /** The raw 80-bit fingerprint digest (host/identity/fingerprint.ts shows it). */
  fingerprint: Uint8Array;
  firmwareVersion: string;
  boardName: string;
}

export interface SendResult {
  type: "send-result";
  status: Status;
  /** The level that protects the packet (0 when unknown). */
  level: IntegrityLevel;
  /** Largest payload that level carries. */
  mtu: number;
}

export interface StatsReport {
  type: "stats-report";
  dataLink: DataLinkCounters;
  integrity: IntegrityCounters;
  serial: SerialCounters;
  /** The Availability layer's counters, when the node routes. */
  availability?: AvailabilityLinkCounters;
  /** Counters this host has no name for (newer firmware), by group and index. */
  unnamed: { group: number; index: number; value: number }[];
}

export interface RadioSettings {
  regionIndex: number;
  presetIndex: number;
  txPowerDbm: number;
}

export interface Config {
  type: "config";
  stored: RadioSettings;
  running: RadioSettings;
  /** Power after the region's limit, or undefined without a LoRa radio. */
  effectiveTxPowerDbm?: number;
  /** The stored settings differ from the running ones: they apply after a reboot. */
  rebootRequired: boolean;
  storedRegionName: string;
  storedPresetName: string;
}

export interface Pong {
  type: "pong";
  data: Uint8Array;
}

export interface RebootAck {
  type: "reboot-ack";
}

export interface ContactAck {
  type: "contact-ack";
  index: number;
}

export interface Received {
  type: "received";
  /** DESIGN.md layer number that delivered it (3 Integrity, 4 Availability). */
  layer: number;
  level: IntegrityLevel;
  payload: Uint8Array;
  /** Availability: the origin's 16-byte endpoint address and the hops the packet took. */
  source?: Uint8Array;
  hops?: number;
  signer?: Uint8Array;
  contact?: number;
  rssiDbm?: number;
  snrDb?: number;
}

export interface Log {
  type: "log";
  level: LogLevel;
  text: string;
}

export interface ErrorResponse {
  type: "error";
  code: ErrorCode;
  text: string;
}

export type Request = Hello | Send | StatsRequest | ConfigGet | ConfigSet | Ping | Reboot | ContactSet;
export type Response = Identity | SendResult | StatsReport | Config | Pong | RebootAck | ContactAck | ErrorResponse;
export type BoardEvent = Received | Log;
export type MessageBody = Request | Response | BoardEvent;
export type Message = WithRequestId<MessageBody>;

/** A message with the request id of its header. */
export type WithRequestId<T> = T & { requestId: number };

/** The response each request gets (besides Error). */
export interface ResponseTo {
  hello: WithRequestId<Identity>;
  send: WithRequestId<SendResult>;
  stats: WithRequestId<StatsReport>;
  "config-get": WithRequestId<Config>;
  "config-set": WithRequestId<Config>;
  ping: WithRequestId<Pong>;
  reboot: WithRequestId<RebootAck>;
  "contact-set": WithRequestId<ContactAck>;
}

export const responseTypeOf: Record<Request["type"], Response["type"]> = {
  hello: "identity",
  send: "send-result",
  stats: "stats-report",
  "config-get": "config",
  "config-set": "config",
  ping: "pong",
  reboot: "reboot-ack",
  "contact-set": "contact-ack",
};

const typeCodes: Record<MessageBody["type"], MessageType> = {
  hello: MessageType.Hello,
  send: MessageType.Send,
  stats: MessageType.Stats,
  "config-get": MessageType.ConfigGet,
  "config-set": MessageType.ConfigSet,
  ping: MessageType.Ping,
  reboot: MessageType.Reboot,
  identity: MessageType.Identity,
  "send-result": MessageType.SendResult,
  "stats-report": MessageType.StatsReport,
  config: MessageType.Config,
  pong: MessageType.Pong,
  "reboot-ack": MessageType.RebootAck,
  "contact-set": MessageType.ContactSet,
  "contact-ack": MessageType.ContactAck,
  received: MessageType.Received,
  log: MessageType.Log,
  error: MessageType.Error,
};

export function isRequest(message: MessageBody): message is Request {
  return typeCodes[message.type] < 0x40;
}

// ---- encoding ----

/** Appends little-endian fields; sizes are checked by the caller against MAX_BODY_SIZE. */
class Writer {
  private readonly bytes = new Uint8Array(MAX_FRAME_PAYLOAD);
  private readonly view = new DataView(this.bytes.buffer);
  length = 0;

  u8(value: number): this {
    this.view.setUint8(this.length, value);
    this.length += 1;
    return this;
  }
  i8(value: number): this {
    this.view.setInt8(this.length, value);
    this.length += 1;
    return this;
  }
  u16(value: number): this {
    this.view.setUint16(this.length, value, true);
    this.length += 2;
    return this;
  }
  i16(value: number): this {
    this.view.setInt16(this.length, value, true);
    this.length += 2;
    return this;
  }
  u64(value: number): this {
    this.view.setBigUint64(this.length, BigInt(value), true);
    this.length += 8;
    return this;
  }
  raw(bytes: Uint8Array): this {
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }
  /** A length byte, then the UTF-8 text (at most 255 bytes). */
  shortString(text: string): this {
    const bytes = new TextEncoder().encode(text);
    if (bytes.length > 255) throw new RangeError(`'${text.slice(0, 20)}…': longer than 255 bytes`);
    return this.u8(bytes.length).raw(bytes);
  }
  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

function checkKey(name: string, key: Uint8Array): void {
  if (key.length !== PUBLIC_KEY_SIZE)
    throw new RangeError(`${name}: expected ${PUBLIC_KEY_SIZE} bytes, got ${key.length}`);
}

function checkBody(type: string, size: number): void {
  if (size > MAX_BODY_SIZE) throw new RangeError(`${type}: body of ${size} bytes, at most ${MAX_BODY_SIZE}`);
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name}: expected an integer from ${min} to ${max}, got ${value}`);
  }
}

/**
 * The frame payload of a message. Throws a RangeError when a field does not fit its encoding (the
 * caller's mistake, unlike bad input from a board, which decodeMessage reports as a value).
 */
export function encodeMessage(message: MessageBody, requestId: number): Uint8Array {
  checkRange("requestId", requestId, 0, MAX_REQUEST_ID);
  const w = new Writer();
  w.u8(typeCodes[message.type]).u16(requestId);
  switch (message.type) {
    case "hello":
      w.u8(message.protocolVersion);
      break;
    case "send": {
      checkRange("level", message.level, 0, 255);
      const broadcast = message.destination === "broadcast";
      if (!broadcast) checkKey("destination", message.destination as Uint8Array);
      if (message.contact !== undefined) checkRange("contact", message.contact, 0, 0xffff);
      checkBody("send", 36 + message.payload.length);
      w.u8(message.level)
        .u8((broadcast ? 1 : 0) | (message.contact !== undefined ? 2 : 0))
        .u16(message.contact ?? 0)
        .raw(broadcast ? new Uint8Array(PUBLIC_KEY_SIZE) : (message.destination as Uint8Array))
        .raw(message.payload);
      break;
    }
    case "stats":
    case "config-get":
    case "reboot":
    case "reboot-ack":
      break;
    case "config-set": {
      const { regionIndex, presetIndex, txPowerDbm } = message;
      if (regionIndex !== undefined) checkRange("regionIndex", regionIndex, 0, 255);
      if (presetIndex !== undefined) checkRange("presetIndex", presetIndex, 0, 255);
      if (txPowerDbm !== undefined) checkRange("txPowerDbm", txPowerDbm, -128, 127);
      w.u8(
        (regionIndex !== undefined ? 1 : 0) | (presetIndex !== undefined ? 2 : 0) | (txPowerDbm !== undefined ? 4 : 0),
      )
        .u8(regionIndex ?? 0)
        .u8(presetIndex ?? 0)
        .i8(txPowerDbm ?? 0);
      break;
    }
    case "ping":
    case "pong":
      checkBody(message.type, message.data.length);
      w.raw(message.data);
      break;
    case "contact-set": {
      checkRange("index", message.index, 0, 0xffff);
      checkKey("endpoint", message.endpoint);
      if (!message.remove && message.key.length !== 16) {
        throw new RangeError(`key: expected 16 bytes, got ${message.key.length}`);
      }
      w.u16(message.index)
        .u8((message.reusable ? 1 : 0) | (message.remove ? 2 : 0))
        .raw(message.endpoint)
        .raw(message.remove ? new Uint8Array(16) : message.key);
      break;
    }
    case "contact-ack":
      w.u16(message.index);
      break;
    case "identity":
      checkKey("publicKey", message.publicKey);
      if (message.fingerprint.length !== FINGERPRINT_SIZE) throw new RangeError("fingerprint: expected 10 bytes");
      w.u8(message.protocolVersion)
        .u8(message.radio)
        .u16(message.mtu)
        .raw(message.publicKey)
        .raw(message.fingerprint)
        .shortString(message.firmwareVersion)
        .shortString(message.boardName);
      break;
    case "send-result":
      w.u8(message.status).u8(message.level).u16(message.mtu);
      break;
    case "stats-report": {
      const group = (id: number, names: readonly string[], values: Record<string, number>) => {
        w.u8(id).u8(names.length);
        for (const name of names) w.u64(values[name] ?? 0);
      };
      group(StatsGroup.DataLink, dataLinkCounterNames, message.dataLink);
      group(StatsGroup.Integrity, integrityCounterNames, message.integrity);
      group(StatsGroup.Serial, serialCounterNames, message.serial);
      if (message.availability) group(StatsGroup.Availability, availabilityLinkCounterNames, message.availability);
      break;
    }
    case "config":
      w.u8(message.stored.regionIndex)
        .u8(message.stored.presetIndex)
        .i8(message.stored.txPowerDbm)
        .u8(message.rebootRequired ? 1 : 0)
        .u8(message.running.regionIndex)
        .u8(message.running.presetIndex)
        .i8(message.running.txPowerDbm)
        .i8(message.effectiveTxPowerDbm ?? -128)
        .shortString(message.storedRegionName)
        .shortString(message.storedPresetName);
      break;
    case "received": {
      const routed = message.layer === AVAILABILITY_LAYER;
      checkBody("received", 42 + (routed ? ADDRESS_SIZE : 0) + message.payload.length);
      if (message.signer) checkKey("signer", message.signer);
      if (routed && message.source?.length !== ADDRESS_SIZE) throw new RangeError("source: expected 16 bytes");
      const quality = message.rssiDbm !== undefined && message.snrDb !== undefined;
      w.u8(message.layer)
        .u8(message.level)
        .u8((message.signer ? 1 : 0) | (message.contact !== undefined ? 2 : 0) | (quality ? 4 : 0))
        .u8(routed ? (message.hops ?? 0) : 0)
        .u16(message.contact ?? 0)
        .i16(quality ? Math.round(message.rssiDbm! * 10) : 0)
        .i16(quality ? Math.round(message.snrDb! * 10) : 0)
        .raw(message.signer ?? new Uint8Array(PUBLIC_KEY_SIZE));
      if (routed) w.raw(message.source as Uint8Array);
      w.raw(message.payload);
      break;
    }
    case "log": {
      const text = new TextEncoder().encode(message.text);
      checkBody("log", 1 + text.length);
      w.u8(message.level).raw(text);
      break;
    }
    case "error": {
      const text = new TextEncoder().encode(message.text);
      checkBody("error", 1 + text.length);
      w.u8(message.code).raw(text);
      break;
    }
  }
  return w.result();
}

// ---- decoding ----

export interface DecodeError {
  /** too-short: a fixed field is missing; unknown-type: no message has this type byte. */
  reason: "too-short" | "unknown-type";
  detail: string;
  /** The type byte and request id, when the payload had them. */
  typeCode?: number;
  requestId?: number;
}

export type DecodeResult = { ok: true; message: Message } | { ok: false; error: DecodeError };

/** Reads fields; a read past the end marks the reader short instead of throwing. */
class Reader {
  private readonly view: DataView;
  at = 0;
  short = false;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private has(count: number): boolean {
    if (this.at + count > this.bytes.length) {
      this.short = true;
      return false;
    }
    return true;
  }
  u8(): number {
    if (!this.has(1)) return 0;
    return this.view.getUint8(this.at++);
  }
  i8(): number {
    if (!this.has(1)) return 0;
    return this.view.getInt8(this.at++);
  }
  u16(): number {
    if (!this.has(2)) return 0;
    const value = this.view.getUint16(this.at, true);
    this.at += 2;
    return value;
  }
  i16(): number {
    if (!this.has(2)) return 0;
    const value = this.view.getInt16(this.at, true);
    this.at += 2;
    return value;
  }
  u64(): number {
    if (!this.has(8)) return 0;
    const value = Number(this.view.getBigUint64(this.at, true));
    this.at += 8;
    return value;
  }
  raw(count: number): Uint8Array {
    if (!this.has(count)) return new Uint8Array(0);
    const value = this.bytes.slice(this.at, this.at + count);
    this.at += count;
    return value;
  }
  rest(): Uint8Array {
    return this.raw(this.bytes.length - this.at);
  }
  shortString(): string {
    return new TextDecoder().decode(this.raw(this.u8()));
  }
  remaining(): number {
    return this.bytes.length - this.at;
  }
}

const typesByCode = new Map<number, MessageBody["type"]>(
  Object.entries(typeCodes).map(([name, code]) => [code, name as MessageBody["type"]]),
);

function decodeStats(r: Reader): StatsReport {
  const report: StatsReport = {
    type: "stats-report",
    dataLink: Object.fromEntries(dataLinkCounterNames.map((n) => [n, 0])) as DataLinkCounters,
    integrity: Object.fromEntries(integrityCounterNames.map((n) => [n, 0])) as IntegrityCounters,
    serial: Object.fromEntries(serialCounterNames.map((n) => [n, 0])) as SerialCounters,
    unnamed: [],
  };
  const named: Record<number, [readonly string[], Record<string, number>]> = {
    [StatsGroup.DataLink]: [dataLinkCounterNames, report.dataLink],
    [StatsGroup.Integrity]: [integrityCounterNames, report.integrity],
    [StatsGroup.Serial]: [serialCounterNames, report.serial],
  };
  const availability = {} as AvailabilityLinkCounters;
  while (r.remaining() > 0 && !r.short) {
    const group = r.u8();
    const count = r.u8();
    for (let index = 0; index < count && !r.short; index++) {
      const value = r.u64();
      if (r.short) break;
      const target = named[group];
      if (target && index < target[0].length) target[1][target[0][index]] = value;
      else if (group === StatsGroup.Availability && index < availabilityLinkCounterNames.length) {
        availability[availabilityLinkCounterNames[index]] = value;
        report.availability = availability;
      } else report.unnamed.push({ group, index, value });
    }
  }
  return report;
}

function decodeBody(type: MessageBody["type"], r: Reader): MessageBody {
  switch (type) {
    case "hello":
      return { type, protocolVersion: r.u8() };
    case "send": {
      const level = r.u8();
      const flags = r.u8();
      const contact = r.u16();
      const destination = r.raw(PUBLIC_KEY_SIZE);
      const send: Send = { type, level, destination: flags & 1 ? "broadcast" : destination, payload: r.rest() };
      if (flags & 2) send.contact = contact;
      return send;
    }
    case "stats":
    case "config-get":
    case "reboot":
    case "reboot-ack":
      return { type };
    case "contact-set": {
      const index = r.u16();
      const flags = r.u8();
      const endpoint = r.raw(PUBLIC_KEY_SIZE);
      const key = r.raw(16);
      return { type, index, endpoint, key, reusable: (flags & 1) !== 0, remove: (flags & 2) !== 0 };
    }
    case "contact-ack":
      return { type, index: r.u16() };
    case "config-set": {
      const mask = r.u8();
      const regionIndex = r.u8();
      const presetIndex = r.u8();
      const txPowerDbm = r.i8();
      const set: ConfigSet = { type };
      if (mask & 1) set.regionIndex = regionIndex;
      if (mask & 2) set.presetIndex = presetIndex;
      if (mask & 4) set.txPowerDbm = txPowerDbm;
      return set;
    }
    case "ping":
    case "pong":
      return { type, data: r.rest() };
    case "identity":
      return {
        type,
        protocolVersion: r.u8(),
        radio: r.u8(),
        mtu: r.u16(),
        publicKey: r.raw(PUBLIC_KEY_SIZE),
        fingerprint: r.raw(FINGERPRINT_SIZE),
        firmwareVersion: r.shortString(),
        boardName: r.shortString(),
      };
    case "send-result":
      return { type, status: r.u8(), level: r.u8(), mtu: r.u16() };
    case "stats-report":
      return decodeStats(r);
    case "config": {
      const stored = { regionIndex: r.u8(), presetIndex: r.u8(), txPowerDbm: r.i8() };
      const flags = r.u8();
      const running = { regionIndex: r.u8(), presetIndex: r.u8(), txPowerDbm: r.i8() };
      const effective = r.i8();
      const config: Config = {
        type,
        stored,
        running,
        rebootRequired: (flags & 1) !== 0,
        storedRegionName: r.shortString(),
        storedPresetName: r.shortString(),
      };
      if (effective !== -128) config.effectiveTxPowerDbm = effective;
      return config;
    }
    case "received": {
      const layer = r.u8();
      const level = r.u8();
      const flags = r.u8();
      const hops = r.u8();
      const contact = r.u16();
      const rssiTenths = r.i16();
      const snrTenths = r.i16();
      const signer = r.raw(PUBLIC_KEY_SIZE);
      // Routed payloads carry the origin's address before the payload (docs/serial-protocol.md).
      const source = layer === AVAILABILITY_LAYER ? r.raw(ADDRESS_SIZE) : undefined;
      const received: Received = { type, layer, level, payload: r.rest() };
      if (source) {
        received.source = source;
        received.hops = hops;
      }
      if (flags & 1) received.signer = signer;
      if (flags & 2) received.contact = contact;
      if (flags & 4) {
        received.rssiDbm = rssiTenths / 10;
        received.snrDb = snrTenths / 10;
      }
      return received;
    }
    case "log":
      return { type, level: r.u8(), text: new TextDecoder().decode(r.rest()) };
    case "error":
      return { type, code: r.u8(), text: new TextDecoder().decode(r.rest()) };
  }
}

/** The message in a frame payload, or why it is not one. Never throws. */
export function decodeMessage(payload: Uint8Array): DecodeResult {
  if (payload.length < MESSAGE_HEADER_SIZE) {
    return {
      ok: false,
      error: { reason: "too-short", detail: `${payload.length} bytes, shorter than the message header` },
    };
  }
  const typeCode = payload[0];
  const requestId = payload[1] | (payload[2] << 8);
  const type = typesByCode.get(typeCode);
  if (type === undefined) {
    return {
      ok: false,
      error: { reason: "unknown-type", detail: `no message has type 0x${hex2(typeCode)}`, typeCode, requestId },
    };
  }
  const reader = new Reader(payload.subarray(MESSAGE_HEADER_SIZE));
  const body = decodeBody(type, reader);
  if (reader.short) {
    return {
      ok: false,
      error: { reason: "too-short", detail: `${type}: body shorter than its fixed fields`, typeCode, requestId },
    };
  }
  return { ok: true, message: { ...body, requestId } as Message };
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, "0");
}
