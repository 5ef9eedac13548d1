// The serial console of one node (docs/serial-protocol.md): decodes the host's frames, answers its
// requests on the node, reports what the node receives, and writes logs — plain text lines until the
// host has sent a valid frame, Log frames after. Everything is allocated in the constructor.
import { blake2b } from "../crypto/blake2b";
import { wipe } from "../crypto/constant-time";
import { endpointAddressOf } from "../availability/address";
import { BROADCAST_ADDRESS } from "../availability/availability-link";
import { HEADER_SIZE as ROUTED_HEADER_SIZE, HOP_COUNT_OFFSET, SOURCE_OFFSET } from "../availability/header";
import { AvailabilityLinkCounter } from "../availability/link-counters";
import { IntegrityCounter } from "../integrity/counters";
import { isKnownLevel, IntegrityLevel } from "../integrity/wire";
import { NO_CONTACT, PEER_KEY_SIZE, PacketBuffer } from "../link/packet-buffer";
import { Status } from "../link/status";
import { MeshNode } from "../node/mesh-node";
import { NodeSettings, RadioKind } from "../node/node-settings";
import { DataLinkCounter } from "../../radio-drivers/datalink/counters";
import { findPreset } from "../../radio-drivers/lora/presets";
import { findRegion } from "../../radio-drivers/lora/regions";
import { FRAME_HEADER_SIZE, FrameDecoder, FrameDecoderCounter, MAX_FRAME_PAYLOAD, MAX_FRAME_SIZE, sealFrame } from "./frame-codec";
import {
  CONTACT_ACK_SIZE,
  CONTACT_ENDPOINT_OFFSET,
  CONTACT_FLAG_REMOVE,
  CONTACT_FLAG_REUSABLE,
  CONTACT_FLAGS_OFFSET,
  CONTACT_INDEX_OFFSET,
  CONTACT_KEY_OFFSET,
  CONTACT_SET_SIZE,
  CONFIG_CHANGES_POWER,
  CONFIG_CHANGES_PRESET,
  CONFIG_CHANGES_REGION,
  CONFIG_EFFECTIVE_POWER_OFFSET,
  CONFIG_FLAG_REBOOT_REQUIRED,
  CONFIG_FLAGS_OFFSET,
  CONFIG_NAMES_OFFSET,
  CONFIG_RUNNING_POWER_OFFSET,
  CONFIG_RUNNING_PRESET_OFFSET,
  CONFIG_RUNNING_REGION_OFFSET,
  CONFIG_SET_MASK_OFFSET,
  CONFIG_SET_POWER_OFFSET,
  CONFIG_SET_PRESET_OFFSET,
  CONFIG_SET_REGION_OFFSET,
  CONFIG_SET_SIZE,
  CONFIG_STORED_POWER_OFFSET,
  CONFIG_STORED_PRESET_OFFSET,
  CONFIG_STORED_REGION_OFFSET,
  ERROR_CODE_OFFSET,
  ERROR_TEXT_OFFSET,
  ErrorCode,
  EVENT_REQUEST_ID,
  IDENTITY_FINGERPRINT_OFFSET,
  IDENTITY_MTU_OFFSET,
  IDENTITY_PROTOCOL_OFFSET,
  IDENTITY_PUBLIC_KEY_OFFSET,
  IDENTITY_RADIO_OFFSET,
  IDENTITY_STRINGS_OFFSET,
  AVAILABILITY_LAYER,
  INTEGRITY_LAYER,
  LOG_LEVEL_OFFSET,
  LOG_TEXT_OFFSET,
  LogLevel,
  MAX_TX_POWER_DBM,
  MESSAGE_HEADER_SIZE,
  MessageType,
  MIN_TX_POWER_DBM,
  NO_TX_POWER,
  PROTOCOL_VERSION,
  RECEIVED_CONTACT_OFFSET,
  RECEIVED_FLAG_CONTACT,
  RECEIVED_FLAG_RADIO_QUALITY,
  RECEIVED_FLAG_SIGNER,
  RECEIVED_FLAGS_OFFSET,
  RECEIVED_HOPS_OFFSET,
  RECEIVED_ROUTED_PAYLOAD_OFFSET,
  RECEIVED_SOURCE_OFFSET,
  RECEIVED_LAYER_OFFSET,
  RECEIVED_LEVEL_OFFSET,
  RECEIVED_PAYLOAD_OFFSET,
  RECEIVED_RESERVED_OFFSET,
  RECEIVED_RSSI_OFFSET,
  RECEIVED_SIGNER_OFFSET,
  RECEIVED_SNR_OFFSET,
  REQUEST_ID_OFFSET,
  SEND_CONTACT_OFFSET,
  SEND_DESTINATION_OFFSET,
  SEND_FLAG_BROADCAST,
  SEND_FLAG_CONTACT,
  SEND_FLAGS_OFFSET,
  SEND_LEVEL_OFFSET,
  SEND_PAYLOAD_OFFSET,
  SEND_RESULT_LEVEL_OFFSET,
  SEND_RESULT_MTU_OFFSET,
  SEND_RESULT_SIZE,
  SEND_RESULT_STATUS_OFFSET,
  SerialCounter,
  StatsGroup,
  TYPE_OFFSET,
} from "./messages";
import { TextWriter } from "./text-writer";
import { systemReboot, uartWrite } from "./uart";
import { FIRMWARE_VERSION } from "./version";

export const BOARD_NAME_CAPACITY: i32 = 32;
const DEFAULT_BOARD_NAME = "unnamed";
const FINGERPRINT_SIZE: i32 = 10;
/** "meshstack fingerprint": the BLAKE2b key of host/identity/fingerprint.ts, so both sides agree. */
const FINGERPRINT_CONTEXT: usize = memory.data<u8>([
  0x6d, 0x65, 0x73, 0x68, 0x73, 0x74, 0x61, 0x63, 0x6b, 0x20, 0x66, 0x69, 0x6e, 0x67, 0x65, 0x72, 0x70, 0x72, 0x69,
  0x6e, 0x74,
]);
const FINGERPRINT_CONTEXT_SIZE: i32 = 21;
/** Bytes of a received payload shown in a plain-text log line. */
const PREVIEW_SIZE: i32 = 24;
/** Room a plain-text line keeps for its "\r\n". */
const LINE_END_SIZE: i32 = 2;
/** Where message bodies start in the output frame. */
const BODY_OFFSET: i32 = FRAME_HEADER_SIZE + MESSAGE_HEADER_SIZE;
const MAX_BODY_SIZE: i32 = MAX_FRAME_PAYLOAD - MESSAGE_HEADER_SIZE;
/** The console's own counters follow the decoder's in the Serial group. */
const OWN_COUNTER_COUNT: i32 = SerialCounter.Count - SerialCounter.FramesSent;

/**
 * A board name fit for the banner's `board=<name>`: 1–32 bytes, printable ASCII without spaces, or
 * UTF-8 beyond ASCII (never FE/FF, which would start a frame).
 */
export function isValidBoardName(pointer: usize, length: i32): bool {
  if (length < 1 || length > BOARD_NAME_CAPACITY) return false;
  for (let i = 0; i < length; i++) {
    const value = load<u8>(pointer + <usize>i);
    if (value <= 0x20 || value == 0x7f || value >= 0xfe) return false;
  }
  return true;
}

function levelName(level: i32): string {
  switch (level) {
    case IntegrityLevel.Crc32c: return "crc32c";
    case IntegrityLevel.Blake2b: return "blake2b";
    case IntegrityLevel.SipHash: return "siphash";
    case IntegrityLevel.Ed25519: return "ed25519";
    default: return "unknown";
  }
}

function routingName(strategy: i32): string {
  switch (strategy) {
    case 0: return "flooding";
    case 1: return "nexthop";
    case 2: return "electric";
    default: return "unknown";
  }
}

function radioName(kind: i32): string {
  switch (kind) {
    case RadioKind.Sx1262: return "sx1262";
    case RadioKind.Sx1276: return "sx1276";
    case RadioKind.EspNowV1: return "espnow-v1";
    case RadioKind.EspNowV2: return "espnow-v2";
    case RadioKind.Udp: return "udp";
    default: return "unknown";
  }
}

export class Console {
  private readonly decoder: FrameDecoder = new FrameDecoder();
  /** One outgoing frame, built in place: message bodies and log text are written at its payload. */
  private readonly output: usize = heap.alloc(<usize>MAX_FRAME_SIZE);
  private readonly text: TextWriter = new TextWriter();
  private readonly boardName: usize = heap.alloc(<usize>BOARD_NAME_CAPACITY);
  private boardNameLength: i32 = 0;
  private readonly fingerprintDigest: usize = heap.alloc(<usize>FINGERPRINT_SIZE);
  /** A signer's fingerprint, for plain-text receive lines. */
  private readonly scratchDigest: usize = heap.alloc(<usize>FINGERPRINT_SIZE);
  /** The endpoint address of a Send's destination key (Availability routes by address). */
  private readonly destinationAddress: usize = heap.alloc(16);
  private readonly ownCounters: StaticArray<u64> = new StaticArray<u64>(OWN_COUNTER_COUNT);
  private logLevel: LogLevel = LogLevel.Info;
  /** Set by the first valid frame: from then on logs and events are framed. */
  private hostHasSpoken: bool = false;
  private rebootRequested: bool = false;

  // The configuration the node runs with, and the one stored for its next start.
  private readonly radioKind: i32;
  private readonly runningRegion: i32;
  private readonly runningPreset: i32;
  private readonly runningPowerDbm: i32;
  private storedRegion: i32;
  private storedPreset: i32;
  private storedPowerDbm: i32;

  constructor(
    private readonly node: MeshNode,
    settings: NodeSettings,
  ) {
    this.radioKind = settings.radioKind;
    this.runningRegion = settings.regionIndex;
    this.runningPreset = settings.presetIndex;
    this.runningPowerDbm = settings.txPowerDbm;
    this.storedRegion = settings.regionIndex;
    this.storedPreset = settings.presetIndex;
    this.storedPowerDbm = settings.txPowerDbm;
    blake2b(
      this.fingerprintDigest,
      FINGERPRINT_SIZE,
      node.identity.publicKey(),
      32,
      FINGERPRINT_CONTEXT,
      FINGERPRINT_CONTEXT_SIZE,
    );
    for (let i = 0; i < DEFAULT_BOARD_NAME.length; i++) {
      store<u8>(this.boardName + <usize>i, <u8>DEFAULT_BOARD_NAME.charCodeAt(i));
    }
    this.boardNameLength = DEFAULT_BOARD_NAME.length;
  }

  /** Takes the board name at `pointer`; false (and unchanged) when isValidBoardName() refuses it. */
  setBoardName(pointer: usize, length: i32): bool {
    if (!isValidBoardName(pointer, length)) return false;
    memory.copy(this.boardName, pointer, <usize>length);
    this.boardNameLength = length;
    return true;
  }

  /** Prints the banner (and, with `bootLogs`, the node's settings) as plain text lines. */
  start(bootLogs: bool): void {
    this.beginLog(LogLevel.Info)
      .string("meshstack ")
      .string(FIRMWARE_VERSION)
      .string(" board=")
      .bytes(this.boardName, this.boardNameLength)
      .string(" key=")
      .fingerprint(this.fingerprintDigest);
    this.endLog();
    if (!bootLogs) return;
    const text = this.beginLog(LogLevel.Info).string("radio=").string(radioName(this.radioKind));
    const config = this.node.loraConfig;
    if (config !== null) {
      const region = findRegion(this.runningRegion);
      const preset = findPreset(this.runningPreset);
      text.string(" region=").string(region !== null ? region.name : "?");
      text.string(" preset=").string(preset !== null ? preset.name : "?");
      text.string(" frequency=").unsignedDecimal(config.frequencyHz).string("Hz");
      text.string(" txPower=").decimal(config.txPowerDbm).string("dBm");
    }
    text.string(" mtu=").decimal(this.node.top().mtu());
    const availability = this.node.availability;
    if (availability !== null) text.string(" routing=").string(routingName(availability.strategy()));
    this.endLog();
    this.beginLog(LogLevel.Info).string("serial: plain text until the host sends a frame (docs/serial-protocol.md)");
    this.endLog();
  }

  /** Handles `length` bytes from the UART; returns how many valid frames they completed. */
  receive(input: usize, length: i32): i32 {
    let frames = 0;
    let taken = 0;
    for (;;) {
      taken += this.decoder.feed(input + <usize>taken, length - taken);
      if (!this.decoder.frameReady()) break;
      frames++;
      const firstFrame = !this.hostHasSpoken;
      this.hostHasSpoken = true;
      if (firstFrame) {
        this.beginLog(LogLevel.Debug).string("serial: host connected, logs are framed from now on");
        this.endLog();
      }
      this.dispatch(this.decoder.payload(), this.decoder.payloadLength());
      this.decoder.releaseFrame();
    }
    return frames;
  }

  /**
   * Polls the node's links, reports the payloads they delivered, and performs a reboot the host asked
   * for. Returns the next deadline (ms).
   */
  poll(now: i64): i64 {
    const deadline = this.node.top().poll(now);
    this.reportReceived();
    if (this.rebootRequested) {
      this.rebootRequested = false;
      systemReboot();
    }
    return deadline;
  }

  counter(which: SerialCounter): u64 {
    if (which < SerialCounter.FramesSent) return this.decoder.counter(<FrameDecoderCounter>which);
    return unchecked(this.ownCounters[which - SerialCounter.FramesSent]);
  }

  // ---- requests ----

  private dispatch(payload: usize, length: i32): void {
    if (length < MESSAGE_HEADER_SIZE) {
      this.count(SerialCounter.MalformedMessages);
      this.sendError(EVENT_REQUEST_ID, ErrorCode.Malformed, "message shorter than its 3-byte header");
      return;
    }
    const type = <i32>load<u8>(payload + <usize>TYPE_OFFSET);
    const requestId = load<u16>(payload + <usize>REQUEST_ID_OFFSET);
    const body = payload + <usize>MESSAGE_HEADER_SIZE;
    const bodyLength = length - MESSAGE_HEADER_SIZE;
    switch (type) {
      case MessageType.Hello: return this.answerHello(requestId);
      case MessageType.Send: return this.answerSend(requestId, body, bodyLength);
      case MessageType.Stats: return this.answerStats(requestId);
      case MessageType.ConfigGet: return this.answerConfig(requestId);
      case MessageType.ConfigSet: return this.answerConfigSet(requestId, body, bodyLength);
      case MessageType.Ping: return this.answerPing(requestId, body, bodyLength);
      case MessageType.Reboot: return this.answerReboot(requestId);
      case MessageType.ContactSet: return this.answerContactSet(requestId, body, bodyLength);
      default:
        this.count(SerialCounter.UnknownMessages);
        this.sendError(requestId, ErrorCode.UnknownMessage, "unknown message type");
    }
  }

  private answerHello(requestId: u16): void {
    const body = this.body();
    store<u8>(body + <usize>IDENTITY_PROTOCOL_OFFSET, PROTOCOL_VERSION);
    store<u8>(body + <usize>IDENTITY_RADIO_OFFSET, <u8>this.radioKind);
    store<u16>(body + <usize>IDENTITY_MTU_OFFSET, <u16>this.node.top().mtu());
    memory.copy(body + <usize>IDENTITY_PUBLIC_KEY_OFFSET, this.node.identity.publicKey(), 32);
    memory.copy(body + <usize>IDENTITY_FINGERPRINT_OFFSET, this.fingerprintDigest, <usize>FINGERPRINT_SIZE);
    let at = IDENTITY_STRINGS_OFFSET;
    at = this.writeShortString(body, at, FIRMWARE_VERSION);
    store<u8>(body + <usize>at, <u8>this.boardNameLength);
    memory.copy(body + <usize>(at + 1), this.boardName, <usize>this.boardNameLength);
    at += 1 + this.boardNameLength;
    this.sendMessage(MessageType.Identity, requestId, at);
  }

  private answerSend(requestId: u16, body: usize, bodyLength: i32): void {
    if (bodyLength < SEND_PAYLOAD_OFFSET) {
      this.count(SerialCounter.MalformedMessages);
      this.sendError(requestId, ErrorCode.Malformed, "send: shorter than its 36-byte header");
      return;
    }
    const level = <i32>load<u8>(body + <usize>SEND_LEVEL_OFFSET);
    const flags = load<u8>(body + <usize>SEND_FLAGS_OFFSET);
    const broadcast = (flags & SEND_FLAG_BROADCAST) != 0;
    let contact = NO_CONTACT;
    if ((flags & SEND_FLAG_CONTACT) != 0) {
      contact = <i32>load<u16>(body + <usize>SEND_CONTACT_OFFSET);
    } else if (level == IntegrityLevel.SipHash && !broadcast) {
      contact = this.findContact(body + <usize>SEND_DESTINATION_OFFSET);
    }
    const status = this.push(
      body + <usize>SEND_PAYLOAD_OFFSET,
      bodyLength - SEND_PAYLOAD_OFFSET,
      level,
      contact,
      broadcast ? 0 : body + <usize>SEND_DESTINATION_OFFSET,
    );
    const integrity = this.node.integrity;
    const routedHeader = this.node.availability !== null ? ROUTED_HEADER_SIZE : 0;
    const chosen = level != IntegrityLevel.Default ? level : contact != NO_CONTACT ? IntegrityLevel.SipHash : integrity.defaultLevel;
    const known = isKnownLevel(chosen);
    const out = this.body();
    store<u8>(out + <usize>SEND_RESULT_STATUS_OFFSET, <u8>status);
    store<u8>(out + <usize>SEND_RESULT_LEVEL_OFFSET, known ? <u8>chosen : 0);
    store<u16>(out + <usize>SEND_RESULT_MTU_OFFSET, known ? <u16>(integrity.mtuForLevel(chosen) - routedHeader) : 0);
    this.sendMessage(MessageType.SendResult, requestId, SEND_RESULT_SIZE);
  }

  /**
   * Queues a payload on the node's top layer, to the endpoint whose public key is at `destinationKey`
   * (0 = everyone); the caller keeps nothing, whatever the status. With the Availability layer a
   * SipHash packet goes one hop only: its pairwise key is the destination's, and no relay holds it.
   */
  private push(payload: usize, length: i32, level: i32, contact: i32, destinationKey: usize): Status {
    const pool = this.node.pool;
    const packet = pool.take();
    if (packet === null) return Status.NoBuffer;
    const at = packet.append(length);
    if (at == 0) {
      pool.release(packet);
      return Status.TooBig;
    }
    memory.copy(at, payload, <usize>length);
    packet.integrityLevel = <u8>level;
    packet.contact = contact;
    let status: Status;
    const availability = this.node.availability;
    if (availability === null) {
      status = this.node.integrity.push(packet);
    } else {
      let destination = BROADCAST_ADDRESS;
      if (destinationKey != 0) {
        endpointAddressOf(this.destinationAddress, destinationKey);
        destination = this.destinationAddress;
      }
      status = contact != NO_CONTACT ? availability.pushToNeighbour(packet, destination) : availability.pushTo(packet, destination);
    }
    if (status != Status.Ok) pool.release(packet);
    return status;
  }

  /** The address-book entry naming `endpoint`, or NO_CONTACT. */
  private findContact(endpoint: usize): i32 {
    const book = this.node.addressBook;
    for (let i = 0; i < book.capacity; i++) {
      if (book.isPresent(i) && memory.compare(book.endpoint(i), endpoint, 32) == 0) return i;
    }
    return NO_CONTACT;
  }

  private answerStats(requestId: u16): void {
    const body = this.body();
    let at: usize = body;
    store<u8>(at, StatsGroup.DataLink);
    store<u8>(at + 1, <u8>DataLinkCounter.Count);
    at += 2;
    for (let i = 0; i < DataLinkCounter.Count; i++, at += 8) {
      store<u64>(at, this.node.dataLink.counter(<DataLinkCounter>i));
    }
    store<u8>(at, StatsGroup.Integrity);
    store<u8>(at + 1, <u8>IntegrityCounter.Count);
    at += 2;
    for (let i = 0; i < IntegrityCounter.Count; i++, at += 8) {
      store<u64>(at, <u64>this.node.integrity.counter(<IntegrityCounter>i));
    }
    store<u8>(at, StatsGroup.Serial);
    store<u8>(at + 1, <u8>SerialCounter.Count);
    at += 2;
    for (let i = 0; i < SerialCounter.Count; i++, at += 8) {
      store<u64>(at, this.counter(<SerialCounter>i));
    }
    const availability = this.node.availability;
    if (availability !== null) {
      store<u8>(at, StatsGroup.Availability);
      store<u8>(at + 1, <u8>AvailabilityLinkCounter.Count);
      at += 2;
      for (let i = 0; i < AvailabilityLinkCounter.Count; i++, at += 8) {
        store<u64>(at, <u64>availability.counter(<AvailabilityLinkCounter>i));
      }
    }
    this.sendMessage(MessageType.StatsReport, requestId, <i32>(at - body));
  }

  private answerConfig(requestId: u16): void {
    const body = this.body();
    store<u8>(body + <usize>CONFIG_STORED_REGION_OFFSET, <u8>this.storedRegion);
    store<u8>(body + <usize>CONFIG_STORED_PRESET_OFFSET, <u8>this.storedPreset);
    store<i8>(body + <usize>CONFIG_STORED_POWER_OFFSET, <i8>this.storedPowerDbm);
    store<u8>(body + <usize>CONFIG_FLAGS_OFFSET, this.rebootRequired() ? CONFIG_FLAG_REBOOT_REQUIRED : 0);
    store<u8>(body + <usize>CONFIG_RUNNING_REGION_OFFSET, <u8>this.runningRegion);
    store<u8>(body + <usize>CONFIG_RUNNING_PRESET_OFFSET, <u8>this.runningPreset);
    store<i8>(body + <usize>CONFIG_RUNNING_POWER_OFFSET, <i8>this.runningPowerDbm);
    const config = this.node.loraConfig;
    store<i8>(body + <usize>CONFIG_EFFECTIVE_POWER_OFFSET, config !== null ? <i8>config.txPowerDbm : NO_TX_POWER);
    const region = findRegion(this.storedRegion);
    const preset = findPreset(this.storedPreset);
    let at = this.writeShortString(body, CONFIG_NAMES_OFFSET, region !== null ? region.name : "");
    at = this.writeShortString(body, at, preset !== null ? preset.name : "");
    this.sendMessage(MessageType.Config, requestId, at);
  }

  private answerConfigSet(requestId: u16, body: usize, bodyLength: i32): void {
    if (bodyLength < CONFIG_SET_SIZE) {
      this.count(SerialCounter.MalformedMessages);
      this.sendError(requestId, ErrorCode.Malformed, "config-set: shorter than its 4 bytes");
      return;
    }
    const changes = load<u8>(body + <usize>CONFIG_SET_MASK_OFFSET);
    const region = <i32>load<u8>(body + <usize>CONFIG_SET_REGION_OFFSET);
    const preset = <i32>load<u8>(body + <usize>CONFIG_SET_PRESET_OFFSET);
    const power = <i32>load<i8>(body + <usize>CONFIG_SET_POWER_OFFSET);
    // Every field is checked before any is stored: a request changes all it names or nothing.
    if ((changes & CONFIG_CHANGES_REGION) != 0 && findRegion(region) === null) {
      return this.sendError(requestId, ErrorCode.BadValue, "config-set: no region with that index");
    }
    if ((changes & CONFIG_CHANGES_PRESET) != 0 && findPreset(preset) === null) {
      return this.sendError(requestId, ErrorCode.BadValue, "config-set: no preset with that index");
    }
    if ((changes & CONFIG_CHANGES_POWER) != 0 && (power < MIN_TX_POWER_DBM || power > MAX_TX_POWER_DBM)) {
      return this.sendError(requestId, ErrorCode.BadValue, "config-set: transmit power outside -9..30 dBm");
    }
    if ((changes & CONFIG_CHANGES_REGION) != 0) this.storedRegion = region;
    if ((changes & CONFIG_CHANGES_PRESET) != 0) this.storedPreset = preset;
    if ((changes & CONFIG_CHANGES_POWER) != 0) this.storedPowerDbm = power;
    this.answerConfig(requestId);
    if (this.rebootRequired()) {
      this.beginLog(LogLevel.Info).string("config: stored; the radio uses it after a reboot");
      this.endLog();
    }
  }

  private rebootRequired(): bool {
    return (
      this.storedRegion != this.runningRegion ||
      this.storedPreset != this.runningPreset ||
      this.storedPowerDbm != this.runningPowerDbm
    );
  }

  private answerPing(requestId: u16, body: usize, bodyLength: i32): void {
    memory.copy(this.body(), body, <usize>bodyLength);
    this.sendMessage(MessageType.Pong, requestId, bodyLength);
  }

  /** Installs, renews or removes an address-book entry (Integrity level 3 keys; docs/integrity.md). */
  private answerContactSet(requestId: u16, body: usize, bodyLength: i32): void {
    if (bodyLength != CONTACT_SET_SIZE) {
      this.count(SerialCounter.MalformedMessages);
      this.sendError(requestId, ErrorCode.Malformed, "contact-set body must be 51 bytes");
      return;
    }
    const index = <i32>load<u16>(body + <usize>CONTACT_INDEX_OFFSET);
    const flags = load<u8>(body + <usize>CONTACT_FLAGS_OFFSET);
    const book = this.node.addressBook;
    if (!book.isValidIndex(index)) {
      wipe(body + <usize>CONTACT_KEY_OFFSET, 16);
      this.sendError(requestId, ErrorCode.BadValue, "no such address-book entry");
      return;
    }
    if ((flags & CONTACT_FLAG_REMOVE) != 0) book.remove(index);
    else book.set(index, body + <usize>CONTACT_ENDPOINT_OFFSET, body + <usize>CONTACT_KEY_OFFSET, (flags & CONTACT_FLAG_REUSABLE) != 0);
    // The key now lives in the address book only.
    wipe(body + <usize>CONTACT_KEY_OFFSET, 16);
    store<u16>(this.body(), <u16>index);
    this.sendMessage(MessageType.ContactAck, requestId, CONTACT_ACK_SIZE);
  }

  private answerReboot(requestId: u16): void {
    this.sendMessage(MessageType.RebootAck, requestId, 0);
    this.beginLog(LogLevel.Warning).string("rebooting at the host's request");
    this.endLog();
    this.rebootRequested = true;
  }

  // ---- events ----

  private reportReceived(): void {
    const pool = this.node.pool;
    const top = this.node.top();
    for (let packet = top.pop(); packet !== null; packet = top.pop()) {
      // The Data Link stamps each packet with the RSSI/SNR of the frame that carried (or completed) it.
      const qualityKnown = packet.hasRadioQuality;
      if (this.hostHasSpoken) this.sendReceived(packet, qualityKnown);
      else this.logReceived(packet, qualityKnown);
      pool.release(packet);
    }
  }

  private sendReceived(packet: PacketBuffer, qualityKnown: bool): void {
    const body = this.body();
    let flags: u8 = 0;
    const availability = this.node.availability;
    let payloadOffset = RECEIVED_PAYLOAD_OFFSET;
    store<u8>(body + <usize>RECEIVED_LEVEL_OFFSET, packet.integrityLevel);
    if (availability !== null) {
      // Routed: who sent it and over how many hops, from the Availability header kept before it.
      const header = availability.receivedHeader(packet);
      store<u8>(body + <usize>RECEIVED_LAYER_OFFSET, AVAILABILITY_LAYER);
      store<u8>(body + <usize>RECEIVED_HOPS_OFFSET, load<u8>(header + <usize>HOP_COUNT_OFFSET));
      memory.copy(body + <usize>RECEIVED_SOURCE_OFFSET, header + <usize>SOURCE_OFFSET, 16);
      payloadOffset = RECEIVED_ROUTED_PAYLOAD_OFFSET;
    } else {
      store<u8>(body + <usize>RECEIVED_LAYER_OFFSET, INTEGRITY_LAYER);
      store<u8>(body + <usize>RECEIVED_RESERVED_OFFSET, 0);
    }
    store<u16>(body + <usize>RECEIVED_CONTACT_OFFSET, packet.contact != NO_CONTACT ? <u16>packet.contact : 0);
    if (packet.contact != NO_CONTACT) flags |= RECEIVED_FLAG_CONTACT;
    let rssiTenths: i16 = 0;
    let snrTenths: i16 = 0;
    if (qualityKnown) {
      rssiTenths = <i16>Math.round(<f64>packet.rssiDbm * 10);
      snrTenths = <i16>Math.round(<f64>packet.snrDb * 10);
      flags |= RECEIVED_FLAG_RADIO_QUALITY;
    }
    store<i16>(body + <usize>RECEIVED_RSSI_OFFSET, rssiTenths);
    store<i16>(body + <usize>RECEIVED_SNR_OFFSET, snrTenths);
    if (packet.hasPeerKey) {
      memory.copy(body + <usize>RECEIVED_SIGNER_OFFSET, packet.peerKey(), <usize>PEER_KEY_SIZE);
      flags |= RECEIVED_FLAG_SIGNER;
    } else {
      memory.fill(body + <usize>RECEIVED_SIGNER_OFFSET, 0, <usize>PEER_KEY_SIZE);
    }
    store<u8>(body + <usize>RECEIVED_FLAGS_OFFSET, flags);
    // A Data Link packet always fits; the bound only keeps a future bigger packet from overrunning.
    const length = min(packet.length, MAX_BODY_SIZE - payloadOffset);
    memory.copy(body + <usize>payloadOffset, packet.pointer(), <usize>length);
    this.sendMessage(MessageType.Received, EVENT_REQUEST_ID, payloadOffset + length);
  }

  /** Before a host speaks, a received payload is a line for whoever watches the terminal. */
  private logReceived(packet: PacketBuffer, qualityKnown: bool): void {
    const text = this.beginLog(LogLevel.Info)
      .string("rx ")
      .decimal(packet.length)
      .string(" B ")
      .string(levelName(packet.integrityLevel));
    if (packet.contact != NO_CONTACT) text.string(" contact=").decimal(packet.contact);
    const availability = this.node.availability;
    if (availability !== null) {
      const header = availability.receivedHeader(packet);
      text.string(" from=").hex(header + <usize>SOURCE_OFFSET, 4).string("… hops=").decimal(<i32>load<u8>(header + <usize>HOP_COUNT_OFFSET));
    }
    if (packet.hasPeerKey) {
      blake2b(this.scratchDigest, FINGERPRINT_SIZE, packet.peerKey(), 32, FINGERPRINT_CONTEXT, FINGERPRINT_CONTEXT_SIZE);
      text.string(" signer=").fingerprint(this.scratchDigest);
    }
    if (qualityKnown) {
      text.string(" rssi=").tenths(<i32>Math.round(<f64>packet.rssiDbm * 10)).string("dBm");
      text.string(" snr=").tenths(<i32>Math.round(<f64>packet.snrDb * 10)).string("dB");
    }
    const shown = min(packet.length, PREVIEW_SIZE);
    if (isPrintable(packet.pointer(), shown)) {
      text.string(" \"").bytes(packet.pointer(), shown).string(shown < packet.length ? "…\"" : "\"");
    } else {
      text.string(" hex=").hex(packet.pointer(), shown).string(shown < packet.length ? "…" : "");
    }
    this.endLog();
  }

  // ---- output ----

  /** Where a message body goes in the output frame. */
  @inline private body(): usize {
    return this.output + <usize>BODY_OFFSET;
  }

  /** Writes a length byte and an ASCII string at `body + at`; returns the offset after it. */
  private writeShortString(body: usize, at: i32, value: string): i32 {
    this.text.begin(body + <usize>(at + 1), min(255, MAX_BODY_SIZE - at - 1));
    this.text.string(value);
    const length = this.text.length();
    store<u8>(body + <usize>at, <u8>length);
    return at + 1 + length;
  }

  /** Frames the message whose body is in place and writes it to the UART. */
  private sendMessage(type: MessageType, requestId: u16, bodyLength: i32): void {
    const payload = this.output + <usize>FRAME_HEADER_SIZE;
    store<u8>(payload + <usize>TYPE_OFFSET, <u8>type);
    store<u16>(payload + <usize>REQUEST_ID_OFFSET, requestId);
    const frameLength = sealFrame(this.output, MESSAGE_HEADER_SIZE + bodyLength);
    if (frameLength == 0) return;
    uartWrite(this.output, frameLength);
    this.count(SerialCounter.FramesSent);
  }

  private sendError(requestId: u16, code: ErrorCode, reason: string): void {
    const body = this.body();
    store<u8>(body + <usize>ERROR_CODE_OFFSET, <u8>code);
    this.text.begin(body + <usize>ERROR_TEXT_OFFSET, MAX_BODY_SIZE - ERROR_TEXT_OFFSET);
    this.text.string(reason);
    this.sendMessage(MessageType.Error, requestId, ERROR_TEXT_OFFSET + this.text.length());
  }

  /**
   * Starts a log line. Its text is written where a Log frame's text goes, so endLog() can send the
   * same bytes either as a frame or as a plain line.
   */
  private beginLog(level: LogLevel): TextWriter {
    this.logLevel = level;
    const textOffset = BODY_OFFSET + LOG_TEXT_OFFSET;
    this.text.begin(this.output + <usize>textOffset, MAX_BODY_SIZE - LOG_TEXT_OFFSET - LINE_END_SIZE);
    return this.text;
  }

  private endLog(): void {
    const length = this.text.length();
    if (this.hostHasSpoken) {
      store<u8>(this.body() + <usize>LOG_LEVEL_OFFSET, <u8>this.logLevel);
      this.sendMessage(MessageType.Log, EVENT_REQUEST_ID, LOG_TEXT_OFFSET + length);
      return;
    }
    const line = this.body() + <usize>LOG_TEXT_OFFSET;
    store<u8>(line + <usize>length, 0x0d);
    store<u8>(line + <usize>length + 1, 0x0a);
    uartWrite(line, length + LINE_END_SIZE);
  }

  @inline private count(which: SerialCounter): void {
    const index = which - SerialCounter.FramesSent;
    unchecked((this.ownCounters[index] = this.ownCounters[index] + 1));
  }
}

/** Printable ASCII only: anything else is shown as hex, so a log line stays one clean line. */
function isPrintable(pointer: usize, length: i32): bool {
  for (let i = 0; i < length; i++) {
    const value = load<u8>(pointer + <usize>i);
    if (value < 0x20 || value > 0x7e || value == 0x22) return false;
  }
  return true;
}
