// A node: packet pool, identity, address book, a Data Link over its radio, the Integrity layer, and
// (when routing is chosen) the Availability layer on top — the stack a board runs, composed from
// NodeSettings. Everything is allocated here, once.
import { endpointAddressOf } from "../availability/address";
import { AvailabilityLink } from "../availability/availability-link";
import { RoutingStrategy } from "../availability/routing-state";
import { Identity } from "../identity/identity";
import { AddressBook } from "../integrity/address-book";
import { IntegrityLink } from "../integrity/integrity-link";
import { Link } from "../link/link";
import { DATALINK_MTU } from "../link/datalink";
import { HEADROOM } from "../link/packet-buffer";
import { PacketPool } from "../link/packet-pool";
import { DutyCycleBudget } from "../../radio-drivers/datalink/duty-cycle";
import { FramedLink, FramedLinkOptions } from "../../radio-drivers/datalink/framed-link";
import { LoRaLink } from "../../radio-drivers/datalink/lora-link";
import { ESPNOW_V1_FRAME, ESPNOW_V2_FRAME, EspNowLink } from "../../radio-drivers/espnow/espnow-link";
import { SpiBus } from "../../radio-drivers/bus";
import { LoRaConfig } from "../../radio-drivers/lora/lora-config";
import { findPreset } from "../../radio-drivers/lora/presets";
import { findRegion } from "../../radio-drivers/lora/regions";
import { Radio } from "../../radio-drivers/radio";
import { SX1262 } from "../../radio-drivers/sx126x/sx1262";
import { SX1276 } from "../../radio-drivers/sx127x/sx1276";
import { UDP_FRAME, UdpLink } from "../../radio-drivers/udp/udp-link";
import { timeOnAirMicroseconds } from "../../radio-drivers/lora/airtime";
import { NodeError, NodeFlag, NodeRouting, NodeSettings, RadioKind } from "./node-settings";

/**
 * Routing tables of a board (docs/routing.md, "Memory"): 64 endpoints and 16 neighbours take about
 * 14 KiB — sized for a community mesh, well inside an ESP32-C3's RAM.
 */
const BOARD_DESTINATIONS: i32 = 64;
const BOARD_NEIGHBOURS: i32 = 16;
const BOARD_RING: i32 = 64;
/** Pending relays and acknowledgements hold pool buffers: at most half the pool. */
const BOARD_PENDING_SHARE: i32 = 2;
const ANNOUNCE_INTERVAL_MS: i64 = 30 * 60_000;
const BEACON_INTERVAL_MS: i64 = 120_000;
/** Routes outlive two announce rounds, so one lost announce does not cut an endpoint off. */
const ROUTE_LIFETIME_MS: i64 = (ANNOUNCE_INTERVAL_MS * 22) / 10;
/** Reticulum's announce share: 2 % of airtime. */
const ANNOUNCE_SHARE_MILLIONTHS: i32 = 20_000;

export class MeshNode {
  /** The last error of create(), for the host to report. */
  static lastError: NodeError = NodeError.Ok;

  private constructor(
    readonly pool: PacketPool,
    readonly identity: Identity,
    readonly addressBook: AddressBook,
    readonly dataLink: FramedLink,
    readonly integrity: IntegrityLink,
    /** The Availability layer above Integrity, or null when the node does not route. */
    readonly availability: AvailabilityLink | null,
    readonly radio: Radio | null,
    /** The LoRa settings in force (LoRa kinds), after region limits. */
    readonly loraConfig: LoRaConfig | null,
  ) {}

  /** Builds and starts a node; null with MeshNode.lastError set when the settings cannot work. */
  static create(settings: NodeSettings, identitySeed: usize): MeshNode | null {
    if (settings.poolSize < 4 || settings.poolSize > 64 || settings.addressBookSize < 1) {
      return MeshNode.fail(NodeError.BadArgument);
    }
    const pool = new PacketPool(settings.poolSize, HEADROOM + DATALINK_MTU);
    const options = new FramedLinkOptions();
    let dataLink: FramedLink;
    let radio: Radio | null = null;
    let loraConfig: LoRaConfig | null = null;
    switch (settings.radioKind) {
      case RadioKind.Sx1262:
      case RadioKind.Sx1276: {
        const preset = findPreset(settings.presetIndex);
        const region = findRegion(settings.regionIndex);
        if (preset === null || region === null) return MeshNode.fail(NodeError.BadArgument);
        const config = new LoRaConfig();
        config.frequencyHz = settings.frequencyHz != 0 ? settings.frequencyHz : region.defaultFrequencyHz;
        const band = region.subBandFor(config.frequencyHz);
        if (band === null) return MeshNode.fail(NodeError.FrequencyNotAllowed);
        config.spreadingFactor = preset.spreadingFactor;
        config.bandwidthHz = preset.bandwidthHz;
        config.codingRateDenominator = preset.codingRateDenominator;
        // The law, not the request, sets the ceiling.
        config.txPowerDbm = min(settings.txPowerDbm, band.maxPowerDbm);
        config.tcxoMillivolts = settings.tcxoMillivolts;
        config.dio2AsRfSwitch = (settings.flags & NodeFlag.Dio2AsRfSwitch) != 0;
        config.mcuRfSwitch = (settings.flags & NodeFlag.McuRfSwitch) != 0;
        config.highPowerPa = (settings.flags & NodeFlag.HighPowerPa) != 0;
        const bus = new SpiBus(settings.bus);
        const chip: Radio = settings.radioKind == RadioKind.Sx1262 ? new SX1262(bus) : new SX1276(bus);
        if (!chip.begin(config)) return MeshNode.fail(NodeError.RadioNotFound);
        const link = new LoRaLink(chip, config, new DutyCycleBudget(band.dutyCyclePermille), pool, settings.seed, options);
        link.start();
        dataLink = link;
        radio = chip;
        loraConfig = config;
        break;
      }
      case RadioKind.EspNowV1:
        dataLink = new EspNowLink(pool, ESPNOW_V1_FRAME, 1_000_000, settings.seed, options);
        break;
      case RadioKind.EspNowV2:
        dataLink = new EspNowLink(pool, ESPNOW_V2_FRAME, 1_000_000, settings.seed, options);
        break;
      case RadioKind.Udp:
        dataLink = new UdpLink(pool, UDP_FRAME, settings.seed, options);
        break;
      default:
        return MeshNode.fail(NodeError.BadArgument);
    }
    const identity = new Identity(identitySeed);
    const book = new AddressBook(settings.addressBookSize);
    const integrity = new IntegrityLink(dataLink, pool, identity, book);
    let availability: AvailabilityLink | null = null;
    if (settings.routing != NodeRouting.None) {
      availability = MeshNode.createAvailability(settings, pool, identity, integrity, loraConfig);
    }
    MeshNode.lastError = NodeError.Ok;
    return new MeshNode(pool, identity, book, dataLink, integrity, availability, radio, loraConfig);
  }

  /** The node's top link: Availability when it routes, else Integrity. */
  top(): Link {
    const availability = this.availability;
    return availability !== null ? availability : this.integrity;
  }

  private static createAvailability(
    settings: NodeSettings,
    pool: PacketPool,
    identity: Identity,
    integrity: IntegrityLink,
    loraConfig: LoRaConfig | null,
  ): AvailabilityLink {
    const address = heap.alloc(16);
    endpointAddressOf(address, identity.publicKey());
    // LoRa relays wait up to a few frames' airtime so the SNR weighting can order them; the fast
    // links need only a little jitter.
    let airtimeUsPerByte: i64 = 10;
    let relayWindowMs: i32 = 50;
    let ackTimeoutMs: i64 = 500;
    if (loraConfig !== null) {
      airtimeUsPerByte = max<i64>(1, (timeOnAirMicroseconds(loraConfig, 255) - timeOnAirMicroseconds(loraConfig, 0)) / 255);
      const frameMs = <i32>(timeOnAirMicroseconds(loraConfig, 255) / 1000);
      relayWindowMs = min(60_000, 2 * frameMs);
      ackTimeoutMs = <i64>min(60_000, 8 * frameMs);
    }
    const pending = max(1, settings.poolSize / BOARD_PENDING_SHARE);
    const link = new AvailabilityLink(integrity, pool, address, BOARD_RING, pending, 7, relayWindowMs, settings.seed ^ 0x5bd1e995);
    link.cancelThreshold = 2;
    if (settings.routing != NodeRouting.Flooding) {
      link.enableRouting(
        settings.routing == NodeRouting.NextHop ? RoutingStrategy.NextHop : RoutingStrategy.Electric,
        identity,
        BOARD_DESTINATIONS,
        BOARD_NEIGHBOURS,
        0,
        ANNOUNCE_INTERVAL_MS,
        BEACON_INTERVAL_MS,
        ackTimeoutMs,
        ROUTE_LIFETIME_MS,
        airtimeUsPerByte,
        ANNOUNCE_SHARE_MILLIONTHS,
        settings.lastAnnounceSequence,
      );
    }
    return link;
  }

  private static fail(error: NodeError): MeshNode | null {
    MeshNode.lastError = error;
    return null;
  }
}
