// The SX127x driver (radio-drivers/sx127x) against the SX1276 chip model (host/sim/chips/sx1276-model.ts):
// exact SPI byte sequences derived by hand from the Semtech SX1276/77/78/79 datasheet (Rev. 7), RSSI/SNR
// decoding (§5.5.5), time on air (AN1200.13), and frames exchanged end to end through a loopback medium.
import { describe, expect, it } from "vitest";
import {
  loraModulationsInterwork,
  Sx1276Mode,
  Sx1276Model,
  Sx1276Register,
} from "../../host/sim/chips/sx1276-model.js";
import type { BusDevice, LoRaModulation, RadioMedium, RadioPort } from "../../host/sim/radio-medium.js";
import type { SpiTransaction } from "../../host/wasm/bus-imports.js";
import { loadLoRaTables } from "../../host/wasm/lora-tables.js";
import { RadioEvent, type RadioSettings, RadioStack, RadioState } from "../../host/wasm/radio.js";
import { SeededRandom } from "../support/seeded-random.js";

// ——— A minimal medium: every listening port with a compatible modulation hears every frame ———

/** LoRa time on air, Semtech AN1200.13 and SX1276 datasheet §4.1.1.6 (no SF5/SF6 special case on SX127x). */
function airtimeMicroseconds(m: LoRaModulation, payloadLength: number): number {
  const symbol = (2 ** m.spreadingFactor * 1e6) / m.bandwidthHz;
  const lowDataRate = m.lowDataRateOptimize ? 1 : 0;
  const implicitHeader = m.explicitHeader ? 0 : 1;
  const numerator = 8 * payloadLength - 4 * m.spreadingFactor + 28 + 16 * (m.crcOn ? 1 : 0) - 20 * implicitHeader;
  const payloadSymbols =
    8 + Math.max(Math.ceil(numerator / (4 * (m.spreadingFactor - 2 * lowDataRate))), 0) * m.codingRateDenominator;
  return Math.round((m.preambleLength + 4.25 + payloadSymbols) * symbol);
}

interface Transmission {
  sender: RadioPort;
  frame: Uint8Array;
  modulation: LoRaModulation;
  powerDbm: number;
  start: number;
  end: number;
}

class LoopbackMedium implements RadioMedium {
  readonly ports: RadioPort[] = [];
  readonly transmissions: Transmission[] = [];
  /** What every receiver measures; `crcOk: false` models a frame damaged after its header. */
  link = { rssiDbm: -80, snrDb: 7.25, crcOk: true };
  private time = 0;
  private nextHandle = 1;
  private queue: { at: number; handle: number; callback: () => void }[] = [];

  now(): number {
    return this.time;
  }

  schedule(atMicroseconds: number, callback: () => void): number {
    const handle = this.nextHandle++;
    this.queue.push({ at: Math.max(atMicroseconds, this.time), handle, callback });
    this.queue.sort((a, b) => a.at - b.at || a.handle - b.handle);
    return handle;
  }

  cancel(handle: number): void {
    this.queue = this.queue.filter((event) => event.handle !== handle);
  }

  transmit(sender: RadioPort, frame: Uint8Array, modulation: LoRaModulation, powerDbm: number): number {
    const airtime = airtimeMicroseconds(modulation, frame.length);
    const transmission = {
      sender,
      frame: frame.slice(),
      modulation,
      powerDbm,
      start: this.time,
      end: this.time + airtime,
    };
    this.transmissions.push(transmission);
    this.schedule(transmission.end, () => {
      sender.transmitDone();
      for (const port of this.ports) {
        if (port !== sender && port.isListening(modulation))
          port.deliver(frame.slice(), this.link.rssiDbm, this.link.snrDb, this.link.crcOk);
      }
    });
    return airtime;
  }

  channelActive(listener: RadioPort, modulation: LoRaModulation): boolean {
    return this.transmissions.some(
      (t) =>
        t.sender !== listener &&
        t.start <= this.time &&
        this.time < t.end &&
        loraModulationsInterwork(modulation, t.modulation),
    );
  }

  /** Nothing to do: this medium delivers to every port listening at a frame's end, whenever it started. */
  listeningStarted(_port: RadioPort): void {}

  /** Runs scheduled events up to `until` (all of them by default). */
  run(until = Number.POSITIVE_INFINITY): void {
    while (this.queue.length > 0 && this.queue[0].at <= until) {
      const event = this.queue.shift()!;
      this.time = event.at;
      event.callback();
    }
    if (Number.isFinite(until)) this.time = Math.max(this.time, until);
  }
}

/** Passes everything to the model and logs GPIO and delays, to check the reset pulse. */
class GpioRecorder implements BusDevice {
  readonly log: string[] = [];
  constructor(private readonly device: BusDevice) {}
  spiTransfer(tx: Uint8Array): Uint8Array {
    return this.device.spiTransfer(tx);
  }
  gpioWrite(pin: number, level: number): void {
    this.log.push(`write pin ${pin} = ${level}`);
    this.device.gpioWrite(pin, level);
  }
  gpioRead(pin: number): number {
    return this.device.gpioRead(pin);
  }
  delayMicroseconds(microseconds: number): void {
    this.log.push(`delay ${microseconds} µs`);
    this.device.delayMicroseconds(microseconds);
  }
}

// ——— Fixtures ———

/** The brief's reference configuration: EU868 channel 868.1 MHz, SF9, BW125, CR4/5, 8-symbol preamble. */
const EU868_SF9: RadioSettings = {
  frequencyHz: 868_100_000,
  spreadingFactor: 9,
  bandwidthHz: 125_000,
  codingRateDenominator: 5,
  preambleLength: 8,
  syncWord: 0x12,
  txPowerDbm: 17,
};

async function bench(options: { radios?: number; version?: number; mcuRfSwitch?: boolean; recordGpio?: boolean } = {}) {
  const medium = new LoopbackMedium();
  const models: Sx1276Model[] = [];
  const devices = new Map<number, BusDevice>();
  let recorder: GpioRecorder | undefined;
  for (let bus = 0; bus < (options.radios ?? 1); bus++) {
    const model = new Sx1276Model(medium, bus, { version: options.version, mcuRfSwitch: options.mcuRfSwitch });
    models.push(model);
    medium.ports.push(model);
    if (bus === 0 && options.recordGpio) recorder = new GpioRecorder(model);
    devices.set(bus, bus === 0 && recorder ? recorder : model);
  }
  const transfers: SpiTransaction[] = [];
  const stack = await RadioStack.load(devices, { onTransfer: (t) => transfers.push(t) });
  const radios = models.map((_, bus) => stack.createRadio("sx1276", bus));
  /** The SPI transactions since the last call, as hex strings ("86 d9 06 66"). */
  const sent = (bus = 0): string[] => {
    const out = transfers.filter((t) => t.bus === bus).map((t) => hex(t.tx));
    transfers.length = 0;
    return out;
  };
  return { medium, models, radios, transfers, sent, recorder, stack };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** The single-register write `address ← value` as it goes on the wire (§4.3: wnr bit 7 set). */
const write = (address: number, ...values: number[]) => hex(new Uint8Array([address | 0x80, ...values]));
const read = (address: number, length = 1) => hex(new Uint8Array([address, ...new Array(length).fill(0)]));

// ——— Expected begin() traffic, derived by hand from the datasheet ———

/** RegOpMode 0x01 values with LongRangeMode (bit 7) and LowFrequencyModeOn (bit 3) for the HF port. */
const OPMODE_HF = {
  fskSleep: 0x00,
  loraSleep: 0x80,
  standby: 0x81,
  transmit: 0x83,
  receiveContinuous: 0x85,
  cad: 0x87,
};

function expectedBegin(power: { paConfig: number; ocp: number; paDac: number }): string[] {
  return [
    read(0x42), // RegVersion, expected 0x12 (SX1276)
    write(0x01, 0x00), // RegOpMode: FSK mode, SLEEP, HF port (LongRangeMode can change only in SLEEP)
    write(0x01, 0x80), // RegOpMode: LongRangeMode = 1 (LoRa), SLEEP
    write(0x06, 0xd9, 0x06, 0x66), // RegFrf burst: 868.1e6 · 2^19 / 32e6 = 14,222,950.4 → 0xD90666
    write(0x0e, 0x00), // RegFifoTxBaseAddr = 0 (whole FIFO for TX)
    write(0x0f, 0x00), // RegFifoRxBaseAddr = 0 (whole FIFO for RX)
    write(0x0c, 0x23), // RegLna: LnaGain G1 (001 << 5 = 0x20) | LnaBoostHf 11 (HF port)
    write(0x09, power.paConfig), // RegPaConfig
    write(0x0b, power.ocp), // RegOcp
    write(0x4d, power.paDac), // RegPaDac
    write(0x1d, 0x72), // RegModemConfig1: Bw 125 kHz = 0111 << 4 = 0x70 | CodingRate 4/5 = 001 << 1 = 0x02 | explicit header 0
    write(0x1e, 0x94), // RegModemConfig2: SF9 = 9 << 4 = 0x90 | RxPayloadCrcOn 0x04
    write(0x26, 0x04), // RegModemConfig3: Tsym = 512/125 kHz = 4.096 ms ≤ 16 ms → no LDRO | AgcAutoOn 0x04
    write(0x31, 0xc3), // RegDetectOptimize: reserved 0x18 << 3 | 0x3 (SF7–SF12)
    write(0x37, 0x0a), // RegDetectionThreshold: 0x0A (SF7–SF12)
    write(0x20, 0x00, 0x08), // RegPreambleMsb/Lsb burst: 8 symbols
    write(0x39, 0x12), // RegSyncWord 0x12 (private networks)
    write(0x33, 0x27), // RegInvertIQ: normal IQ (reset value)
    write(0x3b, 0x1d), // RegInvertIQ2: 0x1D for normal IQ
    write(0x11, 0x00), // RegIrqFlagsMask: every IRQ enabled
    write(0x12, 0xff), // RegIrqFlags: clear anything left over
    write(0x01, 0x81), // RegOpMode: LoRa STDBY
  ];
}

describe("begin() follows the datasheet's start-up sequence", () => {
  it("pulses NRESET, checks RegVersion and configures 868.1 MHz SF9/BW125/CR4-5 at 17 dBm byte for byte", async () => {
    const { models, radios, sent, recorder } = await bench({ recordGpio: true });
    expect(radios[0].begin(EU868_SF9)).toBe(true);
    // §7.2.2: NRESET low ≥ 100 µs, released, 5 ms before the first SPI access.
    expect(recorder!.log).toEqual(["write pin 0 = 0", "delay 100 µs", "write pin 0 = 1", "delay 5000 µs"]);
    // +17 dBm on PA_BOOST: Pout = 17 − (15 − OutputPower) → OutputPower 15; PaSelect 0x80 | MaxPower 7 << 4 = 0xFF.
    // RegOcp 0x2B: OcpOn 0x20 | OcpTrim 11 (45 + 5·11 = 100 mA). RegPaDac 0x84: default DAC (§5.4.3).
    expect(sent()).toEqual(expectedBegin({ paConfig: 0xff, ocp: 0x2b, paDac: 0x84 }));
    expect(models[0].errors).toEqual([]);
    expect(models[0].loraMode).toBe(true);
    expect(models[0].mode).toBe(Sx1276Mode.Standby);
    expect(models[0].txPowerDbm).toBe(17);
    expect(Math.abs(models[0].frequencyHz - 868_100_000)).toBeLessThan(62);
    expect(radios[0].state()).toBe(RadioState.Standby);
  });

  it("switches on the +20 dBm DAC and raises the current limit above 17 dBm", async () => {
    const { models, radios, sent } = await bench();
    expect(radios[0].begin({ ...EU868_SF9, txPowerDbm: 20 })).toBe(true);
    // +20 dBm: RegPaDac 0x87 makes Pout = 20 − (15 − OutputPower) → OutputPower 15, RegPaConfig 0xFF;
    // the PA draws ~120 mA, so RegOcp = OcpOn 0x20 | OcpTrim 17 (−30 + 10·17 = 140 mA) = 0x31.
    expect(sent()).toEqual(expectedBegin({ paConfig: 0xff, ocp: 0x31, paDac: 0x87 }));
    expect(models[0].txPowerDbm).toBe(20);
    expect(models[0].errors).toEqual([]);
  });

  it("maps every power level onto PA_BOOST, clamping to 2..20 dBm", async () => {
    const { models, radios } = await bench();
    for (const [requested, expected] of [
      [-5, 2],
      [2, 2],
      [14, 14],
      [17, 17],
      [18, 18],
      [19, 19],
      [20, 20],
      [30, 20],
    ]) {
      expect(radios[0].begin({ ...EU868_SF9, txPowerDbm: requested })).toBe(true);
      expect(models[0].txPowerDbm).toBe(expected);
      expect(models[0].peek(Sx1276Register.Ocp)).toBe(expected > 17 ? 0x31 : 0x2b);
    }
    expect(models[0].errors).toEqual([]);
  });

  it("writes RegFrf for 433.175, 868.1 and 915 MHz and picks the matching RF port", async () => {
    const { models, radios, sent } = await bench();
    const cases = [
      // 433.175e6 · 2^19 / 32e6 = 7,097,139.2 → 0x6C4B33; below band 1, so LowFrequencyModeOn (0x08) stays set.
      { frequencyHz: 433_175_000, frf: [0x6c, 0x4b, 0x33], sleep: [0x08, 0x88], lna: 0x20, standby: 0x89 },
      // 868.1e6 · 2^19 / 32e6 = 14,222,950.4 → 0xD90666; band 1 (HF port): LowFrequencyModeOn clear, LNA HF boost.
      { frequencyHz: 868_100_000, frf: [0xd9, 0x06, 0x66], sleep: [0x00, 0x80], lna: 0x23, standby: 0x81 },
      // 915e6 · 2^19 / 32e6 = 14,991,360 exactly → 0xE4C000.
      { frequencyHz: 915_000_000, frf: [0xe4, 0xc0, 0x00], sleep: [0x00, 0x80], lna: 0x23, standby: 0x81 },
    ];
    for (const c of cases) {
      expect(radios[0].begin({ ...EU868_SF9, frequencyHz: c.frequencyHz })).toBe(true);
      const traffic = sent();
      expect(traffic.slice(1, 4)).toEqual([write(0x01, c.sleep[0]), write(0x01, c.sleep[1]), write(0x06, ...c.frf)]);
      expect(traffic).toContain(write(0x0c, c.lna));
      expect(traffic.at(-1)).toBe(write(0x01, c.standby));
      expect(Math.abs(models[0].frequencyHz - c.frequencyHz)).toBeLessThan(62);
    }
    expect(models[0].errors).toEqual([]);
  });

  it("writes the ModemConfig bytes of every preset, with LowDataRateOptimize for SF11/SF12 at BW125", async () => {
    // RegModemConfig1 = Bw << 4 | (CR − 4) << 1 (125 kHz = 7, 250 kHz = 8; CR 4/5 → 1); RegModemConfig2 =
    // SF << 4 | RxPayloadCrcOn 0x04; RegModemConfig3 = LowDataRateOptimize 0x08 when 2^SF / BW > 16 ms | AgcAutoOn 0x04.
    const expected: Record<string, [number, number, number]> = {
      SF7BW125: [0x72, 0x74, 0x04], // Tsym 1.024 ms
      SF8BW125: [0x72, 0x84, 0x04], // 2.048 ms
      SF9BW125: [0x72, 0x94, 0x04], // 4.096 ms
      SF10BW125: [0x72, 0xa4, 0x04], // 8.192 ms
      SF11BW125: [0x72, 0xb4, 0x0c], // 16.384 ms > 16 ms → LDRO
      SF12BW125: [0x72, 0xc4, 0x0c], // 32.768 ms → LDRO
      SF11BW250: [0x82, 0xb4, 0x04], // 8.192 ms
      SF7BW250: [0x82, 0x74, 0x04], // 0.512 ms
      SF9BW250: [0x82, 0x94, 0x04], // 2.048 ms
    };
    // The table must cover the presets compiled into the stack (radio-drivers/lora/presets.ts) exactly.
    const { presets } = await loadLoRaTables();
    expect(presets.map((p) => p.name).sort()).toEqual(Object.keys(expected).sort());

    const { models, radios, sent } = await bench();
    for (const preset of presets) {
      const { spreadingFactor, bandwidthHz, codingRateDenominator } = preset;
      expect(radios[0].begin({ ...EU868_SF9, spreadingFactor, bandwidthHz, codingRateDenominator })).toBe(true);
      const [config1, config2, config3] = expected[preset.name];
      const traffic = sent();
      expect(traffic, preset.name).toContain(write(0x1d, config1));
      expect(traffic, preset.name).toContain(write(0x1e, config2));
      expect(traffic, preset.name).toContain(write(0x26, config3));
    }
    expect(models[0].errors).toEqual([]);
  });

  it("uses the SF6 detection settings and implicit header, and inverted IQ when asked", async () => {
    const { models, radios, sent } = await bench();
    expect(radios[0].begin({ ...EU868_SF9, spreadingFactor: 6, explicitHeader: false, invertIq: true })).toBe(true);
    const traffic = sent();
    expect(traffic).toContain(write(0x1d, 0x73)); // ImplicitHeaderModeOn = 1
    expect(traffic).toContain(write(0x1e, 0x64)); // SF6
    expect(traffic).toContain(write(0x31, 0xc5)); // DetectionOptimize 0x5 for SF6 (§4.1.1.2)
    expect(traffic).toContain(write(0x37, 0x0c)); // DetectionThreshold 0x0C for SF6
    expect(traffic).toContain(write(0x33, 0x66)); // RX path inverted (bit 6), TX path inverted (bit 0 = 0)
    expect(traffic).toContain(write(0x3b, 0x19));
    expect(models[0].modulation("transmit").invertIq).toBe(true);
    expect(models[0].modulation("receive").invertIq).toBe(true);
    radios[0].startReceive();
    expect(models[0].errors).toEqual([]);
  });
});

describe("begin() refuses what it cannot drive", () => {
  it("returns false when RegVersion is not 0x12 (an SX1272, or no chip at all)", async () => {
    for (const version of [0x22, 0x00, 0xff]) {
      const { models, radios, sent } = await bench({ version });
      expect(radios[0].begin(EU868_SF9)).toBe(false);
      expect(sent()).toEqual([read(0x42)]); // nothing is written to a chip that is not ours
      expect(radios[0].state()).toBe(RadioState.Off);
      expect(radios[0].transmit(new Uint8Array([1]))).toBe(false);
      expect(radios[0].startReceive()).toBe(false);
      expect(radios[0].startChannelActivityDetection()).toBe(false);
      expect(radios[0].takeEvents()).toBe(RadioEvent.None);
      expect(radios[0].interruptPending()).toBe(false);
      expect(sent()).toEqual([]);
      expect(models[0].errors).toEqual([]);
    }
  });

  it("rejects settings outside the SX1276's range without touching the bus", async () => {
    const { radios, sent } = await bench();
    for (const bad of [
      { spreadingFactor: 5 },
      { spreadingFactor: 13 },
      { spreadingFactor: 6 }, // SF6 needs implicit header (§4.1.1.2)
      { bandwidthHz: 100_000 },
      { codingRateDenominator: 4 },
      { codingRateDenominator: 9 },
      { frequencyHz: 2_400_000_000 },
      { frequencyHz: 100_000_000 },
      { frequencyHz: 169_400_000, bandwidthHz: 250_000 }, // 250/500 kHz not in the 169 MHz band
      { preambleLength: 5 },
      { preambleLength: 70_000 },
    ]) {
      expect(radios[0].begin({ ...EU868_SF9, ...bad }), JSON.stringify(bad)).toBe(false);
    }
    expect(sent()).toEqual([]);
  });
});

describe("transmit", () => {
  it("loads the FIFO from FifoTxBaseAddr, sets the length, maps DIO0 to TxDone and enters TX", async () => {
    const { medium, models, radios, sent } = await bench();
    radios[0].begin(EU868_SF9);
    sent();
    expect(radios[0].transmit(new Uint8Array([0xde, 0xad, 0xbe, 0xef]))).toBe(true);
    expect(sent()).toEqual([
      write(0x01, OPMODE_HF.standby), // FIFO access and TX start from STDBY (§4.1.6)
      write(0x0d, 0x00), // RegFifoAddrPtr ← RegFifoTxBaseAddr
      write(0x00, 0xde, 0xad, 0xbe, 0xef), // RegFifo burst: the pointer advances, the address does not
      write(0x22, 0x04), // RegPayloadLength = 4
      write(0x40, 0x40), // RegDioMapping1: DIO0 = TxDone (01 << 6)
      write(0x12, 0xff), // RegIrqFlags: clear
      write(0x01, OPMODE_HF.transmit), // RegOpMode: TX
    ]);
    expect(radios[0].state()).toBe(RadioState.Transmitting);
    expect(medium.transmissions[0].frame).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    expect(medium.transmissions[0].powerDbm).toBe(17);

    expect(radios[0].interruptPending()).toBe(false);
    medium.run();
    // TxDone comes exactly one time on air later, and the chip is back in STDBY.
    expect(medium.now()).toBe(radios[0].timeOnAirMicroseconds(4));
    expect(models[0].mode).toBe(Sx1276Mode.Standby);
    expect(radios[0].interruptPending()).toBe(true);
    sent();
    expect(radios[0].takeEvents()).toBe(RadioEvent.TxDone);
    expect(sent()).toEqual([read(0x12), write(0x12, 0x08)]); // read RegIrqFlags, clear exactly TxDone
    expect(radios[0].state()).toBe(RadioState.Standby);
    expect(radios[0].interruptPending()).toBe(false);
    expect(radios[0].takeEvents()).toBe(RadioEvent.None);
    expect(models[0].errors).toEqual([]);
  });

  it("refuses empty and oversized frames, and a second frame while one is on air", async () => {
    const { radios, models } = await bench();
    radios[0].begin(EU868_SF9);
    expect(radios[0].maxFrameLength()).toBe(255);
    expect(radios[0].transmit(new Uint8Array(0))).toBe(false);
    expect(radios[0].transmit(new Uint8Array(256))).toBe(false);
    expect(radios[0].transmit(new Uint8Array(255))).toBe(true);
    expect(radios[0].transmit(new Uint8Array(1))).toBe(false);
    expect(models[0].errors).toEqual([]);
  });

  it("drives the MCU's RF switch lines on boards that need it", async () => {
    const { medium, models, radios } = await bench({ radios: 2, mcuRfSwitch: true });
    for (const radio of radios) radio.begin({ ...EU868_SF9, mcuRfSwitch: true });
    expect([models[0].rxEnable, models[0].txEnable]).toEqual([0, 0]);
    radios[1].startReceive();
    expect([models[1].rxEnable, models[1].txEnable]).toEqual([1, 0]);
    radios[0].transmit(new Uint8Array([1, 2, 3]));
    expect([models[0].rxEnable, models[0].txEnable]).toEqual([0, 1]);
    medium.run();
    expect(radios[0].takeEvents()).toBe(RadioEvent.TxDone);
    expect([models[0].rxEnable, models[0].txEnable]).toEqual([0, 0]);
    expect(radios[1].takeEvents()).toBe(RadioEvent.RxDone);
    radios[0].startChannelActivityDetection();
    expect([models[0].rxEnable, models[0].txEnable]).toEqual([1, 0]);
    for (const model of models) expect(model.errors).toEqual([]);
  });
});

describe("channel activity detection", () => {
  it("maps DIO0 to CadDone, enters CAD and reports CadDetected only while a preamble is on air", async () => {
    const { medium, models, radios, sent } = await bench({ radios: 2 });
    for (const radio of radios) radio.begin(EU868_SF9);
    sent(0);
    expect(radios[0].startChannelActivityDetection()).toBe(true);
    expect(sent(0)).toEqual([
      write(0x01, OPMODE_HF.standby),
      write(0x40, 0x80), // RegDioMapping1: DIO0 = CadDone (10 << 6)
      write(0x12, 0xff),
      write(0x01, OPMODE_HF.cad),
    ]);
    expect(radios[0].state()).toBe(RadioState.DetectingActivity);
    medium.run();
    // (2^9 + 32) / 125 kHz = 4.352 ms of capture, then up to one symbol (4.096 ms) of correlation.
    expect(medium.now()).toBe(4352 + 4096);
    expect(radios[0].interruptPending()).toBe(true);
    expect(radios[0].takeEvents()).toBe(RadioEvent.CadDone);
    expect(radios[0].state()).toBe(RadioState.Standby);
    expect(models[0].mode).toBe(Sx1276Mode.Standby);

    // Node 1 starts a long frame; node 0's CAD now hears it.
    radios[1].transmit(new Uint8Array(200));
    radios[0].startChannelActivityDetection();
    medium.run(medium.now() + 10_000);
    expect(radios[0].takeEvents()).toBe(RadioEvent.CadDone | RadioEvent.CadDetected);
    medium.run();
    expect(radios[1].takeEvents()).toBe(RadioEvent.TxDone);
    for (const model of models) expect(model.errors).toEqual([]);
  });

  it("stops when the driver goes to standby before CadDone", async () => {
    const { medium, models, radios } = await bench();
    radios[0].begin(EU868_SF9);
    radios[0].startChannelActivityDetection();
    radios[0].standby();
    medium.run();
    expect(radios[0].takeEvents()).toBe(RadioEvent.None);
    expect(radios[0].state()).toBe(RadioState.Standby);
    expect(models[0].errors).toEqual([]);
  });
});

describe("two drivers exchange frames end to end", () => {
  it("carries frames of every size both ways between buses 0 and 1 through the real driver code", async () => {
    const { medium, models, radios, sent } = await bench({ radios: 2 });
    for (const radio of radios) expect(radio.begin(EU868_SF9)).toBe(true);
    const random = new SeededRandom(127);
    // Continuous RX writes each frame after the previous one, so these lengths also wrap the 256-byte FIFO.
    const lengths = [1, 255, 17, 254, 200, 100, 3];
    for (const [i, length] of lengths.entries()) {
      const [sender, receiver] = i % 2 === 0 ? [radios[0], radios[1]] : [radios[1], radios[0]];
      expect(receiver.startReceive()).toBe(true);
      const frame = random.bytes(length);
      expect(sender.transmit(frame)).toBe(true);
      medium.run();
      expect(sender.takeEvents()).toBe(RadioEvent.TxDone);
      expect(receiver.interruptPending()).toBe(true);
      expect(receiver.takeEvents()).toBe(RadioEvent.RxDone);
      const received = receiver.readFrame();
      expect(received?.frame).toEqual(frame);
      expect(received?.rssiDbm).toBe(-80);
      expect(received?.snrDb).toBe(7.25);
      expect(receiver.readFrame()).toBeUndefined(); // a frame is read once
      expect(receiver.state()).toBe(RadioState.Receiving);
    }
    // The receiving side of one frame, byte for byte: IRQ flags, then the payload through the FIFO pointer.
    // (From standby: startReceive() while receiving sends nothing, as that would drop a frame.)
    radios[1].standby();
    sent(0);
    sent(1);
    expect(radios[1].startReceive()).toBe(true);
    expect(sent(1)).toEqual([
      write(0x01, OPMODE_HF.standby),
      write(0x40, 0x00), // RegDioMapping1: DIO0 = RxDone (00 << 6)
      write(0x12, 0xff),
      write(0x01, OPMODE_HF.receiveContinuous),
    ]);
    radios[0].transmit(new Uint8Array([7, 8]));
    medium.run();
    radios[1].takeEvents();
    radios[1].readFrame();
    const start = models[1].peek(Sx1276Register.FifoRxCurrentAddr);
    expect(sent(1)).toEqual([
      read(0x12), // RegIrqFlags = RxDone | ValidHeader
      write(0x12, 0x50), // clear exactly those
      read(0x1c), // RegHopChannel: did the header announce a CRC?
      read(0x13), // RegRxNbBytes = 2
      read(0x10), // RegFifoRxCurrentAddr
      write(0x0d, start), // RegFifoAddrPtr ← it
      read(0x00, 2), // RegFifo burst
      read(0x19, 2), // RegPktSnrValue and RegPktRssiValue in one burst
    ]);
    for (const model of models) expect(model.errors).toEqual([]);
    expect(models[0].statistics.framesReceived + models[1].statistics.framesReceived).toBe(lengths.length + 1);
  });

  it("does not hear a node on another sync word, spreading factor or IQ polarity", async () => {
    const { medium, models, radios } = await bench({ radios: 2 });
    for (const different of [
      { syncWord: 0x34 },
      { spreadingFactor: 10 },
      { invertIq: true },
      { frequencyHz: 868_300_000 },
    ]) {
      radios[0].begin(EU868_SF9);
      radios[1].begin({ ...EU868_SF9, ...different });
      radios[1].startReceive();
      radios[0].transmit(new Uint8Array([1, 2, 3]));
      medium.run();
      expect(radios[0].takeEvents()).toBe(RadioEvent.TxDone);
      expect(radios[1].takeEvents(), JSON.stringify(different)).toBe(RadioEvent.None);
    }
    for (const model of models) expect(model.errors).toEqual([]);
  });

  it("reports a frame damaged after its header as CrcError and does not hand it out", async () => {
    const { medium, models, radios } = await bench({ radios: 2 });
    for (const radio of radios) radio.begin(EU868_SF9);
    radios[1].startReceive();
    medium.link.crcOk = false;
    radios[0].transmit(new Uint8Array([1, 2, 3]));
    medium.run();
    expect(radios[1].interruptPending()).toBe(true);
    expect(radios[1].takeEvents()).toBe(RadioEvent.CrcError);
    expect(radios[1].readFrame()).toBeUndefined();
    // A frame whose explicit header announced no CRC cannot be checked: refused too (RegHopChannel.CrcOnPayload).
    models[1].deliver(new Uint8Array([4, 5]), -90, 3, true, false);
    expect(radios[1].takeEvents()).toBe(RadioEvent.CrcError);
    expect(radios[1].readFrame()).toBeUndefined();
    models[1].deliver(new Uint8Array([4, 5]), -90, 3, true, true);
    expect(radios[1].takeEvents()).toBe(RadioEvent.RxDone);
    expect(radios[1].readFrame()?.frame).toEqual(new Uint8Array([4, 5]));
    expect(models[1].errors).toEqual([]);
  });
});

describe("RSSI and SNR follow §5.5.5", () => {
  it("decodes PacketRssi and PacketSnr on the HF and LF ports, including SNR below zero", async () => {
    const cases = [
      // HF port (868.1 MHz), SNR ≥ 0: RegPktSnrValue = 7.25 · 4 = 29 = 0x1D; RegPktRssiValue = −80 + 157 = 77.
      { frequencyHz: 868_100_000, rssi: -80, snr: 7.25, snrRegister: 0x1d, rssiRegister: 77 },
      // HF port, SNR < 0: −12.5 · 4 = −50 = 0xCE; strength = −157 + PacketRssi + SNR → PacketRssi = −125.5 + 157 + 12.5 = 44.
      { frequencyHz: 868_100_000, rssi: -125.5, snr: -12.5, snrRegister: 0xce, rssiRegister: 44 },
      // LF port (433.175 MHz): offset −164. −100 dBm → PacketRssi 64; SNR 5 → 20 = 0x14.
      { frequencyHz: 433_175_000, rssi: -100, snr: 5, snrRegister: 0x14, rssiRegister: 64 },
      // LF port, SNR −7.75 → −31 = 0xE1; PacketRssi = −129.75 + 164 + 7.75 = 42.
      { frequencyHz: 433_175_000, rssi: -129.75, snr: -7.75, snrRegister: 0xe1, rssiRegister: 42 },
      // The SNR register's extremes: −32 dB (0x80) and +31.75 dB (0x7F).
      { frequencyHz: 915_000_000, rssi: -150, snr: -32, snrRegister: 0x80, rssiRegister: 39 },
      { frequencyHz: 915_000_000, rssi: -20, snr: 31.75, snrRegister: 0x7f, rssiRegister: 137 },
    ];
    const { models, radios } = await bench();
    for (const c of cases) {
      radios[0].begin({ ...EU868_SF9, frequencyHz: c.frequencyHz });
      radios[0].startReceive();
      models[0].deliver(new Uint8Array([1]), c.rssi, c.snr, true);
      expect(models[0].peek(Sx1276Register.PktSnrValue)).toBe(c.snrRegister);
      expect(models[0].peek(Sx1276Register.PktRssiValue)).toBe(c.rssiRegister);
      expect(radios[0].takeEvents()).toBe(RadioEvent.RxDone);
      const frame = radios[0].readFrame();
      expect(frame?.snrDb).toBe(c.snr);
      expect(frame?.rssiDbm).toBe(c.rssi);
    }
    expect(models[0].errors).toEqual([]);
  });
});

describe("time on air", () => {
  it("equals the published calculator values and AN1200.13 for every preset and length", async () => {
    const { radios } = await bench();
    // REFERENCES.md checks: SF7/BW125, 10-byte payload, 8-symbol preamble, CR4/5, CRC on = 41.216 ms;
    // SF11/BW125 (LDRO on) = 577.536 ms.
    radios[0].begin({ ...EU868_SF9, spreadingFactor: 7 });
    expect(radios[0].timeOnAirMicroseconds(10)).toBe(41_216);
    radios[0].begin({ ...EU868_SF9, spreadingFactor: 11 });
    expect(radios[0].timeOnAirMicroseconds(10)).toBe(577_536);

    for (const spreadingFactor of [7, 8, 9, 10, 11, 12]) {
      for (const bandwidthHz of [125_000, 250_000, 500_000]) {
        for (const codingRateDenominator of [5, 8]) {
          for (const explicitHeader of [true, false]) {
            const settings = { ...EU868_SF9, spreadingFactor, bandwidthHz, codingRateDenominator, explicitHeader };
            expect(radios[0].begin(settings)).toBe(true);
            const modulation: LoRaModulation = {
              ...settings,
              preambleLength: 8,
              syncWord: 0x12,
              crcOn: true,
              invertIq: false,
              lowDataRateOptimize: (2 ** spreadingFactor * 1e6) / bandwidthHz > 16_000,
            };
            for (const length of [1, 10, 51, 128, 255])
              expect(radios[0].timeOnAirMicroseconds(length)).toBe(airtimeMicroseconds(modulation, length));
          }
        }
      }
    }
  });
});

describe("the driver survives hostile use", () => {
  it("ignores calls before begin() and never traps on bad arguments", async () => {
    const { radios, sent } = await bench();
    expect(radios[0].state()).toBe(RadioState.Off);
    expect(radios[0].transmit(new Uint8Array([1]))).toBe(false);
    expect(radios[0].startReceive()).toBe(false);
    expect(radios[0].readFrame()).toBeUndefined();
    radios[0].standby();
    expect(radios[0].takeEvents()).toBe(RadioEvent.None);
    expect(sent()).toEqual([]);
    radios[0].begin(EU868_SF9);
    expect(radios[0].readFrame()).toBeUndefined();
    expect(radios[0].timeOnAirMicroseconds(-5)).toBeGreaterThan(0);
    expect(radios[0].timeOnAirMicroseconds(100_000)).toBeGreaterThan(0);
  });

  it("recovers with begin() from any state, and repeated use does not grow memory", async () => {
    const { medium, models, radios, stack } = await bench({ radios: 2 });
    for (const radio of radios) radio.begin(EU868_SF9);
    const pages = stack.instance.memory.buffer.byteLength;
    for (let i = 0; i < 50; i++) {
      radios[1].startReceive();
      radios[0].transmit(new Uint8Array(64).fill(i));
      if (i % 7 === 0) radios[0].begin(EU868_SF9); // abort mid-frame
      medium.run();
      radios[0].takeEvents();
      if (radios[1].takeEvents() & RadioEvent.RxDone) expect(radios[1].readFrame()?.frame[0]).toBe(i);
      radios[0].startChannelActivityDetection();
      medium.run();
      radios[0].takeEvents();
    }
    expect(stack.instance.memory.buffer.byteLength).toBe(pages);
    for (const model of models) expect(model.errors).toEqual([]);
  });
});

describe("the SX1276 model records what a driver gets wrong", () => {
  const spi = (model: Sx1276Model, ...bytes: number[]) => Array.from(model.spiTransfer(new Uint8Array(bytes)));
  const loraStandby = (model: Sx1276Model) => {
    spi(model, 0x81, 0x00);
    spi(model, 0x81, 0x80);
    spi(model, 0x81, 0x81);
  };

  it("implements single and burst access, old values on MISO during writes, and the FIFO pointer", () => {
    const model = new Sx1276Model(new LoopbackMedium(), 0);
    expect(spi(model, 0x42, 0)).toEqual([0, 0x12]);
    expect(spi(model, 0x06, 0, 0, 0)).toEqual([0, 0x6c, 0x80, 0x00]); // RegFrf reset value: 434 MHz
    loraStandby(model);
    expect(spi(model, 0x86, 0xd9, 0x06, 0x66)).toEqual([0, 0x6c, 0x80, 0x00]); // a write returns the old values
    expect(model.frequencyHz).toBe(868_099_976); // 0xD90666 · 32 MHz / 2^19, the nearest 61 Hz step
    expect(spi(model, 0x8d, 0xfe)).toEqual([0, 0x00]);
    spi(model, 0x80, 1, 2, 3, 4); // wraps from 0xFF to 0x00
    expect(model.peek(Sx1276Register.FifoAddrPtr)).toBe(0x02);
    spi(model, 0x8d, 0xfe);
    expect(spi(model, 0x00, 0, 0, 0, 0)).toEqual([0, 1, 2, 3, 4]);
    expect(model.errors).toEqual([]);
  });

  it("flags a short reset pulse, SPI access during reset or before 5 ms, and writes to read-only registers", () => {
    const medium = new LoopbackMedium();
    const model = new Sx1276Model(medium, 0);
    model.gpioWrite(0, 0);
    spi(model, 0x42, 0);
    model.delayMicroseconds(10);
    model.gpioWrite(0, 1);
    spi(model, 0x42, 0);
    spi(model, 0x42, 0); // reported once per reset
    expect(model.errors).toEqual([
      "SPI transfer while NRESET is held low (§7.2.2)",
      "NRESET held low 10 µs; §7.2.2 asks for 100 µs",
      "SPI access 0 µs after reset; §7.2.2 asks for 5 ms",
    ]);
    model.errors.length = 0;
    medium.run(medium.now() + 5_000);
    spi(model, 0xc2, 0x55);
    spi(model, 0x42);
    expect(model.errors).toEqual([
      "write 0x55 to read-only register 0x42",
      "SPI transfer of 1 byte(s): an access needs an address and at least one data byte (§4.3)",
    ]);
    expect(model.peek(Sx1276Register.Version)).toBe(0x12);
  });

  it("ignores LongRangeMode outside SLEEP and keeps the FIFO closed in SLEEP", () => {
    const model = new Sx1276Model(new LoopbackMedium(), 0);
    spi(model, 0x81, 0x81); // from FSK STDBY straight to LoRa: ignored
    expect(model.loraMode).toBe(false);
    spi(model, 0x81, 0x00); // FSK SLEEP first …
    spi(model, 0x81, 0x80); // … then LoRa SLEEP is accepted
    spi(model, 0x80, 0x42); // LoRa SLEEP: FIFO not accessible
    expect(model.errors).toEqual([
      "LongRangeMode changed outside SLEEP; the chip ignores it (RegOpMode)",
      "RegFifo accessed in SLEEP or FSK mode; it is only accessible in LoRa mode outside SLEEP (RegFifo)",
    ]);
    expect(model.loraMode).toBe(true);
  });

  it("checks the datasheet's preconditions when TX, RX or CAD starts", () => {
    const model = new Sx1276Model(new LoopbackMedium(), 0);
    loraStandby(model);
    spi(model, 0xa2, 0x00); // RegPayloadLength 0
    spi(model, 0x81, 0x83);
    expect(model.mode).toBe(Sx1276Mode.Standby);
    expect(model.errors).toEqual([
      "TX with RegPayloadLength = 0, which the datasheet does not permit (RegPayloadLength)",
    ]);
    model.errors.length = 0;
    // SF12 at 125 kHz without LowDataRateOptimize, still at the reset frequency (434 MHz) with the LF bit cleared.
    spi(model, 0x9e, 0xc4);
    spi(model, 0x81, 0x85);
    spi(model, 0x86, 0xd9);
    expect(model.errors).toEqual([
      "receive at 434000000 Hz with LowFrequencyModeOn clear (RegOpMode)",
      "LowDataRateOptimize off with 32768 µs symbols; mandated above 16 ms (RegModemConfig3)",
      "RegFrf written outside SLEEP/STDBY (register table)",
    ]);
  });

  it("drives DIO0 from the flag RegDioMapping1 selects", () => {
    const medium = new LoopbackMedium();
    const model = new Sx1276Model(medium, 0);
    loraStandby(model);
    spi(model, 0xc0, 0x40); // DIO0 = TxDone
    spi(model, 0x81, 0x85);
    model.deliver(new Uint8Array([1]), -70, 10, true);
    expect(model.gpioRead(2)).toBe(0); // RxDone is set, but DIO0 follows TxDone
    spi(model, 0xc0, 0x00);
    expect(model.gpioRead(2)).toBe(1);
    spi(model, 0x91, 0x40); // masking RxDone keeps it from being raised again
    spi(model, 0x92, 0xff);
    model.deliver(new Uint8Array([1]), -70, 10, true);
    expect(model.gpioRead(2)).toBe(0);
  });
});
