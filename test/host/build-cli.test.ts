// `mesh build`: its refusals (one line each), and the idf.py call it makes for an ESP32 board, checked
// with a stand-in idf.py that records its arguments (ESP-IDF itself is not installed here).
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findBoard } from "../../boards/index.js";
import { ESP_IDF_MISSING } from "../../host/cli/build.js";
import { parsePartitionCsv } from "../../host/image/partition-table.js";
import { packageRoot } from "../../host/package-info.js";
import { runMesh } from "../support/run-mesh.js";
import { temporaryDirectory } from "../support/temporary-directory.js";

let savedPath: string | undefined;
beforeEach(() => {
  savedPath = process.env.PATH;
});
afterEach(() => {
  process.env.PATH = savedPath;
});

/** A PATH holding only an empty directory (and, if given, a stand-in idf.py there). */
function pathWith(idfScript?: string): string {
  const directory = temporaryDirectory("meshstack-path-");
  if (idfScript) {
    writeFileSync(join(directory, "idf.py"), idfScript);
    chmodSync(join(directory, "idf.py"), 0o755);
  }
  return directory;
}

describe("mesh build refuses what it cannot build", () => {
  it("an unknown board: one line listing the boards, exit 2", async () => {
    const { code, err } = await runMesh("build", "--board", "esp8266-toaster");
    expect(code).toBe(2);
    expect(err.split("\n")).toHaveLength(1);
    expect(err).toContain("esp8266-toaster");
    for (const board of ["qemu-rv32", "heltec-wifi-lora-32-v3", "lilygo-t-beam-sx1276"]) expect(err).toContain(board);
  });

  it("no --board: one line listing the boards, exit 2", async () => {
    const { code, err } = await runMesh("build");
    expect(code).toBe(2);
    expect(err).toMatch(/^mesh build: --board is required: one of qemu-rv32, /);
  });

  it("the Node virtual board: nothing native to build, exit 2", async () => {
    const { code, err } = await runMesh("build", "--board", "virtual");
    expect(code).toBe(2);
    expect(err.split("\n")).toHaveLength(1);
  });

  it("an ESP32 board without ESP-IDF: the one line saying how to get it, exit 1", async () => {
    process.env.PATH = pathWith();
    const { code, err, out } = await runMesh("build", "--board", "heltec-wifi-lora-32-v3");
    expect(code).toBe(1);
    expect(err).toBe(ESP_IDF_MISSING);
    expect(err).toBe(
      "mesh build: ESP-IDF not found (idf.py not on PATH) — install ESP-IDF v5.x (https://docs.espressif.com/projects/esp-idf/en/stable/esp32/get-started/) and run '. $IDF_PATH/export.sh'",
    );
    expect(out).toBe("");
  });

  it("--help describes both kinds of board and says ESP-IDF is not tested here", async () => {
    const { code, out } = await runMesh("build", "--help");
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: mesh build --board NAME/);
    expect(out).toContain("build-native.mjs");
    expect(out).toContain("idf.py");
    expect(out).toContain("not built or tested there");
  });
});

describe("mesh build for an ESP32 board with ESP-IDF on PATH", () => {
  it("generates the board files and calls idf.py set-target CHIP build on the project", async () => {
    const record = join(temporaryDirectory("meshstack-idf-"), "args.txt");
    process.env.PATH = `${pathWith(`#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\necho "idf.py: pretend build done"\n`)}:/usr/bin:/bin`;
    const out = temporaryDirectory("meshstack-idf-build-");
    const run = await runMesh("build", "--board", "seeed-xiao-esp32s3-wio-sx1262", "--out", out);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toContain("idf.py: pretend build done");

    const root = packageRoot();
    const generated = join(root, "build/esp-idf/generated/seeed-xiao-esp32s3-wio-sx1262");
    expect(readFileSync(record, "utf8").trim().split("\n")).toEqual([
      "-C",
      join(root, "firmware/native/esp-idf"),
      "-B",
      out,
      "-DMESH_BOARD=seeed-xiao-esp32s3-wio-sx1262",
      `-DMESH_BOARD_FILES=${generated}`,
      `-DMESH_STACK_WASM=${join(root, "build/stack.wasm")}`,
      "set-target",
      "esp32s3",
      "build",
    ]);
    const header = readFileSync(join(generated, "board-config.h"), "utf8");
    expect(header).toContain('#define BOARD_NAME "seeed-xiao-esp32s3-wio-sx1262"');
    expect(header).toMatch(/#define BOARD_PIN_NSS \d+/);
    expect(header).toContain("#define BOARD_RADIO_KIND RADIO_KIND_SX1262");
    const csv = readFileSync(join(generated, "partitions.csv"), "utf8");
    expect(csv).toMatch(/^nvs, +data, +nvs, +0x9000,/m);
    // The table ESP-IDF builds is the one `mesh flash` writes for this board.
    expect(parsePartitionCsv(csv)).toEqual(findBoard("seeed-xiao-esp32s3-wio-sx1262")?.flash.partitions);
    const sdkconfig = readFileSync(join(generated, "sdkconfig.board"), "utf8");
    expect(sdkconfig).toContain(`CONFIG_PARTITION_TABLE_CUSTOM_FILENAME="${join(generated, "partitions.csv")}"`);
    expect(sdkconfig).toContain("CONFIG_ESPTOOLPY_FLASHSIZE_8MB=y");
    expect(existsSync(join(generated, "sdkconfig.board"))).toBe(true);
  });

  it("an SX1276 board on ESP32 gets its own chip, radio kind and no BUSY pin", async () => {
    const record = join(temporaryDirectory("meshstack-idf-"), "args.txt");
    process.env.PATH = `${pathWith(`#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`)}:/usr/bin:/bin`;
    const run = await runMesh(
      "build",
      "--board",
      "lilygo-t3-v1-6-1",
      "--out",
      temporaryDirectory("meshstack-build-out-"),
    );
    expect(run.code).toBe(0);
    expect(readFileSync(record, "utf8")).toContain("set-target\nesp32\nbuild");
    const header = readFileSync(join(packageRoot(), "build/esp-idf/generated/lilygo-t3-v1-6-1/board-config.h"), "utf8");
    expect(header).toContain("#define BOARD_RADIO_KIND RADIO_KIND_SX1276");
    expect(header).toContain("#define BOARD_PIN_BUSY -1");
  });
});
