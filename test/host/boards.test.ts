import { afterEach, describe, expect, it, vi } from "vitest";
import { boards } from "../../boards/index.js";
import { runMesh } from "../support/run-mesh.js";

const mesh = runMesh;

afterEach(() => vi.restoreAllMocks());

describe("mesh boards", () => {
  it("is listed in mesh --help", async () => {
    const { out } = await mesh("--help");
    expect(out).toMatch(/^ {2}boards /m);
    expect(out).toMatch(/^ {2}ports /m);
  });

  it("lists every board with MCU, radio, flash and region", async () => {
    const { code, out } = await mesh("boards");
    expect(code).toBe(0);
    expect(out).toMatch(/^BOARD +MCU +RADIO +FLASH +REGION +DESCRIPTION$/m);
    expect(out).toMatch(/^heltec-wifi-lora-32-v3 +esp32s3 +sx1262 +8 MiB +EU868 +Heltec WiFi LoRa 32 V3$/m);
    expect(out).toMatch(/^lilygo-t3-v1-6-1 +esp32 +sx1276 +4 MiB +EU868 /m);
    expect(out.split("\n")).toHaveLength(boards.length + 1);
  });

  it("prints the definitions as JSON with --json", async () => {
    const { code, out } = await mesh("boards", "--json");
    expect(code).toBe(0);
    const listed = JSON.parse(out) as { name: string }[];
    expect(listed.map((b) => b.name)).toEqual(boards.map((b) => b.name));
  });

  it("shows one board in full: pins, TCXO, RF switch, flash layout, sources, notes", async () => {
    const { code, out } = await mesh("boards", "seeed-xiao-esp32s3-wio-sx1262");
    expect(code).toBe(0);
    expect(out).toContain("SCK GPIO7, MOSI GPIO9, MISO GPIO8, NSS GPIO41");
    expect(out).toContain("RESET GPIO42, BUSY GPIO40, IRQ (DIO1) GPIO39");
    expect(out).toContain("1.8 V on DIO3");
    expect(out).toContain("DIO2 + MCU RX enable GPIO38");
    expect(out).toContain("USB-Serial-JTAG 303a:1001");
    expect(out).toMatch(/0x0 +32 KiB +bootloader/);
    expect(out).toMatch(/0x7c0000 +256 KiB +meshstack \(meshstack image\)/);
    expect(out).toMatch(/meshstack, +0x40, +0x0, +0x7c0000, 256K/);
    expect(out).toContain("meshtastic/firmware variants/esp32s3/seeed_xiao_s3/variant.h");
    expect(out).toMatch(/^Notes$/m);
  });

  it("shows an SX1276 board without BUSY and the ESP32 bootloader at 0x1000", async () => {
    const { out } = await mesh("boards", "lilygo-t-beam-sx1276");
    expect(out).toContain("RESET GPIO23, no BUSY, IRQ (DIO0) GPIO26");
    expect(out).toContain("none (crystal)");
    expect(out).toMatch(/0x1000 +28 KiB +bootloader/);
  });

  it("shows one board as JSON", async () => {
    const { out } = await mesh("boards", "virtual", "--json");
    expect(JSON.parse(out)).toMatchObject({ name: "virtual", mcu: "esp32s3", virtual: true, usb: [] });
  });

  it("rejects an unknown board in one line naming it and the known ones, exit 2", async () => {
    const { code, out, err } = await mesh("boards", "heltec-v9");
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err.split("\n")).toHaveLength(1);
    expect(err).toMatch(/^mesh boards: unknown board 'heltec-v9' \(known: heltec-wifi-lora-32-v3, .*virtual\)$/);
  });

  it("rejects two names and unknown options with exit 2", async () => {
    expect((await mesh("boards", "virtual", "virtual")).code).toBe(2);
    const { code, err } = await mesh("boards", "--pins");
    expect(code).toBe(2);
    expect(err.split("\n")).toHaveLength(1);
    expect(err).toContain("--pins");
  });
});
