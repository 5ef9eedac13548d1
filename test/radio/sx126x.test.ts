// The SX1262 driver (radio-drivers/sx126x/) against the SX1262 chip model: exact SPI bytes derived by
// hand from the SX1261/2 datasheet (rev 1.2), frames end to end between two drivers, CAD, failures.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loRaTimeOnAirMicroseconds } from "../../host/sim/chips/test-medium.js";
import type { BusDevice, LoRaModulation } from "../../host/sim/radio-medium.js";
import { Pin } from "../../host/sim/radio-medium.js";
import { RadioEvent, type RadioSettings, RadioState } from "../../host/wasm/radio.js";
import { SeededRandom } from "../support/seeded-random.js";
import { driverOn, EU868_BOARD, hex, sx1262Bench } from "./sx126x-harness.js";

/**
 * Reset values for registers the datasheet does not list, chosen with the workaround bit clear and
 * other bits set, so each read-modify-write shows both that it sets the bit and keeps the rest.
 */
const REGISTER_RESET_VALUES = { 1846: 0x09, 2185: 0x03, 2264: 0xc0 };

async function begun(settings: RadioSettings = EU868_BOARD, count = 1) {
  const bench = await sx1262Bench(count, {
    boardTcxoMillivolts: settings.tcxoMillivolts ?? 0,
    registerResetValues: REGISTER_RESET_VALUES,
  });
  for (const radio of bench.radios) expect(radio.begin(settings)).toBe(true);
  return bench;
}

/** The parameter bytes of the first transaction with `opcode` on bus 0. */
function parametersOf(sent: string[], opcode: number): string | undefined {
  const prefix = `${opcode.toString(16).padStart(2, "0")} `;
  return sent.find((t) => t.startsWith(prefix))?.slice(prefix.length);
}

describe("SX1262 begin()", () => {
  it("sends the datasheet configuration sequence, byte for byte", async () => {
    const bench = await begun();
    // 869.525 MHz, SF7, BW125, CR4/5, preamble 16, sync 0x12, 14 dBm, TCXO 1.8 V, DIO2 RF switch,
    // explicit header, CRC on, standard IQ.
    expect(bench.sent()).toEqual([
      "c0 00", // GetStatus (§13.5.1): is a chip there, in STDBY_RC?
      "80 00", // SetStandby(STDBY_RC = 0x00) (§13.1.2)
      "1d 07 40 00 00 00", // ReadRegister 0x0740, NOP (status), 2 data: expect reset value 0x1424 (Table 12-1)
      "96 01", // SetRegulatorMode(DC-DC + LDO = 0x01) (§13.1.11)
      // SetDIO3AsTCXOCtrl (§13.3.6): 1.8 V = code 0x02; delay 5 ms = 5000 / 15.625 = 320 = 0x000140
      "97 02 00 01 40",
      "07 00 00", // ClearDeviceErrors (§13.6.2): drop the power-on XOSC_START_ERR
      "89 7f", // Calibrate(all seven blocks = 0x7F) (§13.1.12), now that the TCXO runs
      "9d 01", // SetDIO2AsRfSwitchCtrl(enable) (§13.3.5)
      "8a 01", // SetPacketType(LoRa = 0x01) (§13.4.2)
      "98 d7 db", // CalibrateImage(863–870 MHz: 0xD7, 0xDB) (§9.2.1, Table 9-2)
      // SetRfFrequency (§13.4.1): 869 525 000 · 2^25 / 32e6 = 869 525 000 · 2^14 / 15625
      //   = 55 649.6 · 16384 = 911 763 046.4 → 911 763 046 = 0xD961 · 2^14 + 9830 = 0x36584000 + 0x2666
      "86 36 58 66 66",
      "1d 08 d8 00 00", // ReadRegister TxClampConfig 0x08D8 (§15.2) → 0xC0 in this model
      "0d 08 d8 de", // WriteRegister 0x08D8 = 0xC0 | 0x1E (bits 4:1 set)
      "95 02 02 00 01", // SetPaConfig(paDutyCycle 2, hpMax 2, SX1262, paLut 1): the +14 dBm row of Table 13-21
      "8e 16 04", // SetTxParams(+22 dBm = 0x16 with that PA size gives +14 dBm, ramp 200 µs = 0x04) (§13.4.4)
      // SetModulationParams (§13.4.5.2): SF7, BW125 = 0x04, CR4/5 = 0x01, LDRO off (Tsym 1.024 ms ≤ 16 ms)
      "8b 07 04 01 00",
      "1d 08 89 00 00", // ReadRegister TxModulation 0x0889 (§15.1) → 0x03
      "0d 08 89 07", // bit 2 set: the bandwidth is not 500 kHz
      // SetPacketParams (§13.4.6.2): preamble 0x0010, explicit header 0x00, max payload 0xFF, CRC on, IQ standard
      "8c 00 10 00 ff 01 00",
      "1d 07 36 00 00", // ReadRegister IqPolaritySetup 0x0736 (§15.4) → 0x09
      "0d 07 36 0d", // bit 2 set for standard IQ: 0x09 | 0x04
      "0d 07 40 14 24", // sync word 0x12 → 0x1424 (nibbles 1, 2 each followed by 4) at 0x0740/0x0741
      "8f 00 00", // SetBufferBaseAddress(TX 0, RX 0) (§13.4.8)
      // SetDioIrqParams (§13.3.1): DIO1Mask = TxDone 0x001 | RxDone 0x002 | HeaderErr 0x020 | CrcErr 0x040
      //   | CadDone 0x080 | CadDetected 0x100 | Timeout 0x200 = 0x03E3; IrqMask adds PreambleDetected
      //   0x004 and HeaderValid 0x010 (polled before a CAD, not on DIO1) = 0x03F7; DIO2, DIO3 none
      "08 03 f7 03 e3 00 00 00 00",
      "02 03 ff", // ClearIrqStatus(all ten sources, 0x03FF) (§13.3.4)
      "17 00 00 00", // GetDeviceErrors (§13.6.1): must be 0
      "c0 00", // GetStatus: still STDBY_RC, no command error
    ]);
    const answers = bench.transfers.map((t) => hex(t.rx));
    expect(answers[0]).toBe("20 20"); // status 0x20: mode STDBY_RC (0x2 << 4), command status 0
    expect(answers[2].endsWith("14 24")).toBe(true);
    expect(answers.at(-2)).toBe("20 20 00 00");
    expect(bench.radios[0].state()).toBe(RadioState.Standby);
    expect(bench.models[0].errors).toEqual([]);
    expect(bench.models[0].setup).toEqual({
      regulatorDcDc: true,
      dio2AsRfSwitch: true,
      tcxoVoltageCode: 2,
      tcxoDelayTicks: 320,
    });
  });

  it("configures the modulation the model reports to the medium", async () => {
    const bench = await begun();
    expect(bench.models[0].modulation()).toEqual<LoRaModulation>({
      frequencyHz: 869_525_000,
      spreadingFactor: 7,
      bandwidthHz: 125_000,
      codingRateDenominator: 5,
      preambleLength: 16,
      syncWord: 0x12,
      crcOn: true,
      explicitHeader: true,
      invertIq: false,
      lowDataRateOptimize: false,
    });
    expect(bench.models[0].outputPowerDbm()).toBe(14);
  });

  // f · 2^14 / 15625 rounded to nearest; the image calibration band of Table 9-2 (nearest band outside them).
  const frequencies: [string, number, string, string][] = [
    // 915e6 / 15625 = 58560 = 0xE4C0, exact; · 2^14 = 0x39300000
    ["915 MHz (US915)", 915_000_000, "39 30 00 00", "e1 e9"],
    // 55558.4 → 0xD906 · 2^14 = 0x36418000, + 0.4 · 16384 = 6553.6 → 6554 = 0x199A (rounds up)
    ["868.1 MHz (EU868 channel 0)", 868_100_000, "36 41 99 9a", "d7 db"],
    // 55649.6 → 0x36584000 + 9830.4 → 0x2666
    ["869.525 MHz (EU868 h1.6)", 869_525_000, "36 58 66 66", "d7 db"],
    // 59084.8 → 0xE6CC · 2^14 = 0x39B30000, + 13107.2 → 0x3333
    ["923.2 MHz (AS923)", 923_200_000, "39 b3 33 33", "e1 e9"],
    // 27723.2 → 0x6C4B · 2^14 = 0x1B12C000, + 3276.8 → 3277 = 0x0CCD
    ["433.175 MHz (EU433)", 433_175_000, "1b 12 cc cd", "6b 6f"],
    // 30099.2 → 0x7593 · 2^14 = 0x1D64C000, + 0x0CCD
    ["470.3 MHz (CN470)", 470_300_000, "1d 64 cc cd", "75 81"],
    // 9600 = 0x2580 · 2^14 = 0x09600000, lowest frequency; nearest band 430–440
    ["150 MHz (lower limit)", 150_000_000, "09 60 00 00", "6b 6f"],
    // 61440 = 0xF000 · 2^14 = 0x3C000000, highest frequency; nearest band 902–928
    ["960 MHz (upper limit)", 960_000_000, "3c 00 00 00", "e1 e9"],
  ];
  for (const [name, frequencyHz, word, image] of frequencies) {
    it(`tunes ${name}: SetRfFrequency ${word}, CalibrateImage ${image}`, async () => {
      const bench = await begun({ ...EU868_BOARD, frequencyHz });
      expect(parametersOf(bench.sent(), 0x86)).toBe(word);
      expect(parametersOf(bench.sent(), 0x98)).toBe(image);
      expect(Math.abs(bench.models[0].modulation().frequencyHz - frequencyHz)).toBeLessThan(1);
    });
  }

  it("codes SF, BW, CR and LDRO of every preset in presets.ts", async () => {
    // The presets are AssemblyScript; read them from the source so a new preset cannot go untested.
    const source = readFileSync(new URL("../../radio-drivers/lora/presets.ts", import.meta.url), "utf8");
    const presets = [...source.matchAll(/new LoRaPreset\("(\w+)", (\d+), ([\d_]+), (\d+)\)/g)].map((m) => ({
      name: m[1],
      spreadingFactor: Number(m[2]),
      bandwidthHz: Number(m[3].replaceAll("_", "")),
      codingRateDenominator: Number(m[4]),
    }));
    // SetModulationParams bytes by hand (§13.4.5.2): SF as is; BW125 0x04, BW250 0x05; CR4/5 0x01;
    // LDRO when Tsym = 2^SF / BW > 16 ms: SF11/BW125 16.384 ms and SF12/BW125 32.768 ms only.
    const expected: Record<string, string> = {
      SF7BW125: "07 04 01 00",
      SF8BW125: "08 04 01 00",
      SF9BW125: "09 04 01 00",
      SF10BW125: "0a 04 01 00",
      SF11BW125: "0b 04 01 01",
      SF12BW125: "0c 04 01 01",
      SF11BW250: "0b 05 01 00",
      SF7BW250: "07 05 01 00",
      SF9BW250: "09 05 01 00",
    };
    expect(presets.map((p) => p.name).sort()).toEqual(Object.keys(expected).sort());
    const bench = await sx1262Bench(1);
    for (const preset of presets) {
      bench.clear();
      expect(bench.radios[0].begin({ ...EU868_BOARD, ...preset, tcxoMillivolts: 0 })).toBe(true);
      expect(parametersOf(bench.sent(), 0x8b), preset.name).toBe(expected[preset.name]);
    }
    expect(bench.models[0].errors).toEqual([]);
  });

  it("codes every bandwidth and coding rate of the datasheet table", async () => {
    const bandwidthCodes: [number, string][] = [
      [7_800, "00"],
      [10_400, "08"],
      [15_600, "01"],
      [20_800, "09"],
      [31_250, "02"],
      [41_700, "0a"],
      [62_500, "03"],
      [125_000, "04"],
      [250_000, "05"],
      [500_000, "06"],
    ];
    const bench = await sx1262Bench(1);
    for (const [bandwidthHz, code] of bandwidthCodes) {
      bench.clear();
      expect(bench.radios[0].begin({ ...EU868_BOARD, tcxoMillivolts: 0, bandwidthHz })).toBe(true);
      expect(parametersOf(bench.sent(), 0x8b)?.split(" ")[1]).toBe(code);
      expect(bench.models[0].modulation().bandwidthHz).toBe(bandwidthHz);
    }
    for (const codingRateDenominator of [5, 6, 7, 8]) {
      bench.clear();
      expect(bench.radios[0].begin({ ...EU868_BOARD, tcxoMillivolts: 0, codingRateDenominator })).toBe(true);
      expect(parametersOf(bench.sent(), 0x8b)?.split(" ")[2]).toBe(`0${codingRateDenominator - 4}`);
    }
    expect(bench.models[0].errors).toEqual([]);
  });

  it("applies the BW500 and inverted-IQ workarounds with the bit cleared, and the public sync word", async () => {
    const bench = await begun({
      ...EU868_BOARD,
      bandwidthHz: 500_000,
      invertIq: true,
      syncWord: 0x34,
      explicitHeader: false,
      crcOn: false,
    });
    const sent = bench.sent();
    expect(sent).toContain("0d 08 89 03"); // §15.1: 0x03 & ~0x04 for BW 500 kHz
    expect(sent).toContain("0d 07 36 09"); // §15.4: 0x09 & ~0x04 for inverted IQ
    expect(sent).toContain("0d 07 40 34 44"); // 0x34 → 0x3444 (LoRaWAN public)
    expect(parametersOf(sent, 0x8c)).toBe("00 10 01 ff 00 01"); // implicit header, CRC off, IQ inverted
  });

  const powers: [number, string, string, number][] = [
    // Table 13-21 rows: PA sized for the row, SetTxParams +22 (0x16).
    [22, "04 07 00 01", "16 04", 22],
    [20, "03 05 00 01", "16 04", 20],
    [17, "02 03 00 01", "16 04", 17],
    [14, "02 02 00 01", "16 04", 14],
    // Off-row powers: the full PA and the power itself (two's complement below zero).
    [10, "04 07 00 01", "0a 04", 10],
    [0, "04 07 00 01", "00 04", 0],
    [-9, "04 07 00 01", "f7 04", -9],
    // Clamped to the high-power PA's −9 … +22 dBm.
    [30, "04 07 00 01", "16 04", 22],
    [-20, "04 07 00 01", "f7 04", -9],
  ];
  for (const [power, paConfig, txParams, output] of powers) {
    it(`sets ${power} dBm as SetPaConfig ${paConfig}, SetTxParams ${txParams}`, async () => {
      const bench = await begun({ ...EU868_BOARD, txPowerDbm: power });
      expect(parametersOf(bench.sent(), 0x95)).toBe(paConfig);
      expect(parametersOf(bench.sent(), 0x8e)).toBe(txParams);
      expect(bench.models[0].outputPowerDbm()).toBe(output);
    });
  }

  it("refuses settings the chip cannot take without touching the bus", async () => {
    const bench = await sx1262Bench(1);
    const bad: Partial<RadioSettings>[] = [
      { spreadingFactor: 4 },
      { spreadingFactor: 13 },
      { bandwidthHz: 100_000 },
      { codingRateDenominator: 4 },
      { codingRateDenominator: 9 },
      { frequencyHz: 100_000_000 },
      { frequencyHz: 1_000_000_000 },
      { preambleLength: 0 },
      { preambleLength: 70_000 },
      { tcxoMillivolts: 1200 },
    ];
    for (const change of bad) {
      expect(bench.radios[0].begin({ ...EU868_BOARD, ...change }), JSON.stringify(change)).toBe(false);
    }
    expect(bench.transfers).toEqual([]);
    expect(bench.radios[0].state()).toBe(RadioState.Off);
  });

  it("takes the nearest TCXO voltage code that does not overdrive the TCXO", async () => {
    // §13.3.6 codes: 1.6 1.7 1.8 2.2 2.4 2.7 3.0 3.3 V.
    const cases: [number, string][] = [
      [1600, "00"],
      [1800, "02"],
      [2000, "02"],
      [3300, "07"],
      [5000, "07"],
    ];
    for (const [tcxoMillivolts, code] of cases) {
      const bench = await begun({ ...EU868_BOARD, tcxoMillivolts });
      expect(parametersOf(bench.sent(), 0x97)).toBe(`${code} 00 01 40`);
    }
  });

  it("fails when the TCXO setting does not match the board (XOSC_START_ERR)", async () => {
    const tcxoBoard = await sx1262Bench(1, { boardTcxoMillivolts: 1800 });
    expect(tcxoBoard.radios[0].begin({ ...EU868_BOARD, tcxoMillivolts: 0 })).toBe(false);
    const crystalBoard = await sx1262Bench(1, { boardTcxoMillivolts: 0 });
    expect(crystalBoard.radios[0].begin({ ...EU868_BOARD, tcxoMillivolts: 1800 })).toBe(false);
    expect(crystalBoard.radios[0].state()).toBe(RadioState.Off);
  });
});

describe("SX1262 transmit, receive and CAD", () => {
  it("transmits with WriteBuffer, SetPacketParams and a safety-timeout SetTx", async () => {
    const bench = await begun();
    const radio = bench.radios[0];
    bench.clear();
    const frame = Uint8Array.from({ length: 10 }, (_, i) => 0xa0 + i);
    expect(radio.transmit(frame)).toBe(true);
    expect(radio.state()).toBe(RadioState.Transmitting);
    // Time on air (§6.1.4): Tsym = 2^7 / 125 kHz = 1024 µs; preamble (16 + 4.25) · 1024 = 20 736 µs;
    // payload 8 + ceil((8·10 − 4·7 + 28 + 16) / (4·7)) · 5 = 8 + 4 · 5 = 28 symbols = 28 672 µs;
    // total 49 408 µs. Timeout = 49 408 + 49 408 / 4 + 50 000 = 111 760 µs = 7152.64 ticks of
    // 15.625 µs → 7153 = 0x001BF1.
    expect(bench.sent()).toEqual([
      "0e 00 a0 a1 a2 a3 a4 a5 a6 a7 a8 a9", // WriteBuffer(offset 0, data) (§13.2.3)
      "8c 00 10 00 0a 01 00", // SetPacketParams with PayloadLength 10 (§13.4.6.2)
      "83 00 1b f1", // SetTx(timeout 0x001BF1) (§13.1.4)
    ]);
    expect(radio.timeOnAirMicroseconds(10)).toBe(49_408);
    bench.clear();
    bench.medium.runUntilIdle();
    expect(bench.medium.now()).toBe(49_408);
    expect(radio.interruptPending()).toBe(true);
    expect(radio.takeEvents()).toBe(RadioEvent.TxDone);
    expect(bench.sent()).toEqual([
      "12 00 00 00", // GetIrqStatus (§13.3.3) → 0x0001 TxDone
      "02 00 01", // ClearIrqStatus(exactly what was read)
    ]);
    expect(bench.transfers[0].rx[3]).toBe(0x01);
    expect(radio.state()).toBe(RadioState.Standby);
    expect(radio.interruptPending()).toBe(false);
    expect(bench.models[0].errors).toEqual([]);
  });

  it("enters continuous receive, restoring the maximum payload length only after a transmit", async () => {
    const bench = await begun();
    const radio = bench.radios[0];
    bench.clear();
    expect(radio.startReceive()).toBe(true);
    // ClearIrqStatus(PreambleDetected | HeaderValid): flags of an earlier reception are not this one's;
    // SetRx(0xFFFFFF = continuous) (§13.1.5)
    expect(bench.sent()).toEqual(["02 00 14", "82 ff ff ff"]);
    expect(radio.startReceive()).toBe(true); // already receiving: nothing sent
    expect(bench.sent()).toEqual(["02 00 14", "82 ff ff ff"]);
    bench.clear();
    expect(radio.transmit(new Uint8Array([1, 2, 3]))).toBe(true);
    expect(bench.sent()[0]).toBe("80 00"); // SetStandby first: RX must not overwrite the TX buffer
    bench.medium.runUntilIdle();
    expect(radio.takeEvents()).toBe(RadioEvent.TxDone);
    bench.clear();
    expect(radio.startReceive()).toBe(true);
    expect(bench.sent()).toEqual(["8c 00 10 00 ff 01 00", "02 00 14", "82 ff ff ff"]);
    expect(bench.models[0].mode).toBe("rx");
  });

  it("runs CAD with the AN1200.48 parameters for the spreading factor", async () => {
    const cases: [number, string][] = [
      // cadSymbolNum (2 symbols 0x01, 4 symbols 0x02), cadDetPeak, cadDetMin 10 = 0x0A, CAD_ONLY, timeout 0
      [7, "88 01 16 0a 00 00 00 00"], // SF7: 2 symbols, peak 22
      [8, "88 01 16 0a 00 00 00 00"], // SF8: 2 symbols, peak 22
      [9, "88 02 17 0a 00 00 00 00"], // SF9: 4 symbols, peak 23
      [10, "88 02 18 0a 00 00 00 00"], // SF10: 4 symbols, peak 24
      [11, "88 02 19 0a 00 00 00 00"], // SF11: 4 symbols, peak 25
      [12, "88 02 1c 0a 00 00 00 00"], // SF12: 4 symbols, peak 28
    ];
    for (const [spreadingFactor, setCadParams] of cases) {
      const bench = await begun({ ...EU868_BOARD, spreadingFactor });
      bench.clear();
      expect(bench.radios[0].startChannelActivityDetection()).toBe(true);
      expect(bench.sent()).toEqual([setCadParams, "c5"]); // then SetCad (§13.1.8)
      expect(bench.radios[0].state()).toBe(RadioState.DetectingActivity);
    }
  });

  it("decodes RSSI and SNR from GetPacketStatus, negative SNR included", async () => {
    const bench = await begun();
    const radio = bench.radios[0];
    const model = bench.models[0];
    // §13.5.3: RSSI = −RssiPkt / 2, SNR = SnrPkt (signed) / 4.
    const cases: [number, number, string][] = [
      [-97.5, -7.25, "c3 e3"], // 195 = 0xC3; −29 = 0xE3
      [-40, 12.75, "50 33"], // 80 = 0x50; 51 = 0x33
      [-127.5, -20, "ff b0"], // 255 = 0xFF; −80 = 0xB0
      [-120, 0, "f0 00"],
    ];
    for (const [rssiDbm, snrDb, raw] of cases) {
      expect(radio.startReceive()).toBe(true);
      model.deliver(new Uint8Array([7, 7, 7]), rssiDbm, snrDb, true);
      expect(radio.takeEvents()).toBe(RadioEvent.RxDone);
      bench.clear();
      expect(radio.readFrame()).toEqual({ frame: new Uint8Array([7, 7, 7]), rssiDbm, snrDb });
      const packetStatus = bench.transfers.at(-1)!;
      expect(hex(packetStatus.tx)).toBe("14 00 00 00 00");
      expect(hex(packetStatus.rx.subarray(2, 4))).toBe(raw);
    }
    expect(model.errors).toEqual([]);
  });
});

describe("two SX1262 drivers on a loopback medium", () => {
  it("exchange frames end to end, both ways, through the real driver code", async () => {
    const { radios, models, medium } = await begun(EU868_BOARD, 2);
    const [a, b] = radios;
    const random = new SeededRandom(7);
    for (const [sender, receiver] of [
      [a, b],
      [b, a],
    ]) {
      for (const length of [1, 17, 255]) {
        const frame = random.bytes(length);
        expect(receiver.startReceive()).toBe(true);
        expect(sender.transmit(frame)).toBe(true);
        expect(receiver.interruptPending()).toBe(false);
        medium.runUntilIdle();
        expect(sender.interruptPending()).toBe(true);
        expect(sender.takeEvents()).toBe(RadioEvent.TxDone);
        expect(receiver.interruptPending()).toBe(true);
        expect(receiver.takeEvents()).toBe(RadioEvent.RxDone);
        expect(receiver.readFrame()).toEqual({ frame, rssiDbm: -60, snrDb: 9.5 });
        expect(receiver.readFrame()).toBeUndefined(); // each frame is read once
        expect(receiver.state()).toBe(RadioState.Receiving);
        expect(receiver.interruptPending()).toBe(false);
      }
      receiver.standby();
    }
    expect(models.flatMap((m) => m.errors)).toEqual([]);
  });

  it("reads consecutive frames of one continuous reception from where each starts", async () => {
    const { radios, medium, models } = await begun(EU868_BOARD, 2);
    const [a, b] = radios;
    expect(b.startReceive()).toBe(true);
    const random = new SeededRandom(11);
    // 200 + 200 bytes: the second frame wraps around the end of the 256-byte buffer.
    for (const frame of [random.bytes(200), random.bytes(200), random.bytes(3)]) {
      expect(a.transmit(frame)).toBe(true);
      medium.runUntilIdle();
      expect(a.takeEvents()).toBe(RadioEvent.TxDone);
      expect(b.takeEvents()).toBe(RadioEvent.RxDone);
      expect(b.readFrame()?.frame).toEqual(frame);
    }
    expect(models.flatMap((m) => m.errors)).toEqual([]);
  });

  it("reports a corrupted frame as a CRC error, not as a readable frame", async () => {
    const { radios, medium } = await begun(EU868_BOARD, 2);
    const [a, b] = radios;
    expect(b.startReceive()).toBe(true);
    medium.corruptNextFrame = true;
    expect(a.transmit(new Uint8Array([1, 2, 3, 4]))).toBe(true);
    medium.runUntilIdle();
    expect(b.takeEvents()).toBe(RadioEvent.CrcError);
    expect(b.readFrame()).toBeUndefined();
  });

  it("does not hear a node on another spreading factor or sync word", async () => {
    const bench = await sx1262Bench(3);
    const [a, b, c] = bench.radios;
    const board = { ...EU868_BOARD, tcxoMillivolts: 0 };
    expect(a.begin(board)).toBe(true);
    expect(b.begin({ ...board, spreadingFactor: 8 })).toBe(true);
    expect(c.begin({ ...board, syncWord: 0x34 })).toBe(true);
    expect(b.startReceive() && c.startReceive()).toBe(true);
    expect(a.transmit(new Uint8Array([1]))).toBe(true);
    bench.medium.runUntilIdle();
    expect(b.takeEvents()).toBe(RadioEvent.None);
    expect(c.takeEvents()).toBe(RadioEvent.None);
  });

  it("detects channel activity while the other node transmits, and nothing otherwise", async () => {
    const { radios, medium, models } = await begun(EU868_BOARD, 2);
    const [a, b] = radios;
    // Idle channel: CadDone alone after 2 symbols (2 · 1.024 ms).
    expect(b.startChannelActivityDetection()).toBe(true);
    medium.runUntilIdle();
    expect(medium.now()).toBe(2_048);
    expect(b.takeEvents()).toBe(RadioEvent.CadDone);
    expect(b.state()).toBe(RadioState.Standby);
    // Busy channel: a 255-byte frame is on air for about 400 ms.
    expect(a.transmit(new Uint8Array(255))).toBe(true);
    expect(b.startChannelActivityDetection()).toBe(true);
    medium.runFor(5_000);
    expect(b.takeEvents()).toBe(RadioEvent.CadDone | RadioEvent.CadDetected);
    expect(b.state()).toBe(RadioState.Standby);
    // CAD while transmitting or detecting is refused.
    expect(a.startChannelActivityDetection()).toBe(false);
    medium.runUntilIdle();
    expect(a.takeEvents()).toBe(RadioEvent.TxDone);
    expect(models.flatMap((m) => m.errors)).toEqual([]);
  });

  it("drives MCU RF switch lines: TX enable only while sending, RX enable while listening", async () => {
    const bench = await sx1262Bench(2, { mcuRfSwitch: true });
    const [a, b] = bench.radios;
    const [modelA, modelB] = bench.models;
    const board = { ...EU868_BOARD, tcxoMillivolts: 0, dio2AsRfSwitch: false, mcuRfSwitch: true };
    expect(a.begin(board) && b.begin(board)).toBe(true);
    expect(bench.sent()).not.toContain("9d 01");
    expect(b.startReceive()).toBe(true);
    expect([modelB.pin(Pin.RxEnable), modelB.pin(Pin.TxEnable)]).toEqual([1, 0]);
    expect(a.transmit(new Uint8Array([9]))).toBe(true);
    expect([modelA.pin(Pin.RxEnable), modelA.pin(Pin.TxEnable)]).toEqual([0, 1]);
    bench.medium.runUntilIdle();
    expect(a.takeEvents()).toBe(RadioEvent.TxDone);
    expect([modelA.pin(Pin.RxEnable), modelA.pin(Pin.TxEnable)]).toEqual([0, 0]);
    expect(b.takeEvents()).toBe(RadioEvent.RxDone);
    expect(a.startChannelActivityDetection()).toBe(true);
    expect([modelA.pin(Pin.RxEnable), modelA.pin(Pin.TxEnable)]).toEqual([1, 0]);
    expect(bench.models.flatMap((m) => m.errors)).toEqual([]);
  });
});

describe("SX1262 driver against a broken chip", () => {
  /** Answers nothing useful: BUSY and MISO as given. */
  class BrokenChip implements BusDevice {
    delayed = 0;
    constructor(
      private readonly busy: number,
      private readonly miso: (index: number) => number,
    ) {}
    spiTransfer(tx: Uint8Array): Uint8Array {
      return Uint8Array.from(tx, (_, i) => this.miso(i));
    }
    gpioWrite(): void {}
    gpioRead(pin: number): number {
      return pin === Pin.Busy ? this.busy : 0;
    }
    delayMicroseconds(microseconds: number): void {
      this.delayed += microseconds;
    }
  }

  it("returns false, without hanging or trapping, when BUSY never drops", async () => {
    const chip = new BrokenChip(1, () => 0x20);
    const { radio, transfers } = await driverOn(chip);
    const started = performance.now();
    expect(radio.begin(EU868_BOARD)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(transfers).toEqual([]); // no command is sent to a chip that is not ready
    // The bound: the reset pulse plus 250 ms of polling.
    expect(chip.delayed).toBeGreaterThanOrEqual(250_000);
    expect(chip.delayed).toBeLessThanOrEqual(251_000);
    expect(radio.state()).toBe(RadioState.Off);
  });

  const answers: [string, (index: number) => number][] = [
    ["no chip, MISO pulled low", () => 0x00],
    ["no chip, MISO floating high", () => 0xff],
    ["a chip in STDBY_RC whose sync word register is not the SX126x's", () => 0x20],
  ];
  for (const [name, miso] of answers) {
    it(`returns false for ${name}`, async () => {
      const { radio } = await driverOn(new BrokenChip(0, miso));
      expect(radio.begin(EU868_BOARD)).toBe(false);
    });
  }

  it("returns false for random answers, and every operation afterwards fails cleanly", async () => {
    const random = new SeededRandom(99);
    const noise = random.bytes(1 << 16);
    let cursor = 0;
    const { radio } = await driverOn(new BrokenChip(0, () => noise[cursor++ & 0xffff]));
    for (let attempt = 0; attempt < 20; attempt++) expect(radio.begin(EU868_BOARD)).toBe(false);
    expect(radio.transmit(new Uint8Array([1]))).toBe(false);
    expect(radio.startReceive()).toBe(false);
    expect(radio.startChannelActivityDetection()).toBe(false);
    expect(radio.interruptPending()).toBe(false);
    expect(radio.takeEvents()).toBe(RadioEvent.None);
    expect(radio.readFrame()).toBeUndefined();
    radio.standby();
    expect(radio.state()).toBe(RadioState.Off);
  });

  it("rejects frames the chip cannot send", async () => {
    const bench = await begun();
    const radio = bench.radios[0];
    expect(radio.maxFrameLength()).toBe(255);
    expect(radio.transmit(new Uint8Array(0))).toBe(false);
    expect(radio.transmit(new Uint8Array(256))).toBe(false);
    expect(radio.timeOnAirMicroseconds(-1)).toBe(-1);
    expect(radio.timeOnAirMicroseconds(256)).toBe(-1);
  });
});

describe("SX1262 time on air", () => {
  it("matches the published calculator values (REFERENCES.md, AN1200.13)", async () => {
    const short = await begun({ ...EU868_BOARD, preambleLength: 8 });
    expect(short.radios[0].timeOnAirMicroseconds(10)).toBe(41_216); // SF7/BW125, 10 B, CR4/5, CRC
    const long = await begun({ ...EU868_BOARD, preambleLength: 8, spreadingFactor: 11 });
    expect(long.radios[0].timeOnAirMicroseconds(10)).toBe(577_536); // SF11/BW125 with LDRO
  });

  it("equals an independent implementation for many settings, and the medium's airtime", async () => {
    const bench = await sx1262Bench(1);
    const radio = bench.radios[0];
    const settings: Partial<RadioSettings>[] = [
      {},
      { spreadingFactor: 5 },
      { spreadingFactor: 6, explicitHeader: false },
      { spreadingFactor: 9, bandwidthHz: 250_000, codingRateDenominator: 8 },
      { spreadingFactor: 11, bandwidthHz: 250_000 },
      { spreadingFactor: 12, bandwidthHz: 125_000, crcOn: false },
      { spreadingFactor: 12, bandwidthHz: 7_800, preambleLength: 6 },
      { spreadingFactor: 10, bandwidthHz: 500_000, explicitHeader: false, codingRateDenominator: 6 },
    ];
    for (const change of settings) {
      expect(radio.begin({ ...EU868_BOARD, tcxoMillivolts: 0, ...change })).toBe(true);
      const modulation = bench.models[0].modulation();
      for (const length of [0, 1, 10, 51, 100, 222, 255]) {
        expect(radio.timeOnAirMicroseconds(length), `${JSON.stringify(change)} ${length} B`).toBe(
          loRaTimeOnAirMicroseconds(modulation, length),
        );
      }
    }
  });
});
