// A node: packet pool, identity, address book, a Data Link over its radio, and the Integrity layer
// on top — the stack a board runs, composed from NodeSettings. Everything is allocated here, once.
import { Identity } from "../identity/identity";
import { AddressBook } from "../integrity/address-book";
import { IntegrityLink } from "../integrity/integrity-link";
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
import { NodeError, NodeFlag, NodeSettings, RadioKind } from "./node-settings";

export class MeshNode {
  /** The last error of create(), for the host to report. */
  static lastError: NodeError = NodeError.Ok;

  private constructor(
    readonly pool: PacketPool,
    readonly identity: Identity,
    readonly addressBook: AddressBook,
    readonly dataLink: FramedLink,
    readonly integrity: IntegrityLink,
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
    MeshNode.lastError = NodeError.Ok;
    return new MeshNode(pool, identity, book, dataLink, integrity, radio, loraConfig);
  }

  private static fail(error: NodeError): MeshNode | null {
    MeshNode.lastError = error;
    return null;
  }
}
