// The AOT-compiled stack (wasm2c + firmware/native/runtime) on x86-64: the harness's crypto matches
// the same stack.wasm run under Node, and the runtime turns out-of-bounds accesses, aborts and a full
// arena into traps with their reason (docs/native.md).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Crypto, loadCrypto } from "../../host/wasm/crypto.js";
import { hex } from "../support/seeded-random.js";
import { buildNative, HOST_TOOLS, hostBuild, missingTools } from "./runtime-support.js";

const missing = missingTools(HOST_TOOLS);
const harness = join(hostBuild, "harness");
const bytes = (text: string) => Uint8Array.from(Buffer.from(text, "hex"));

interface Vector {
  seed: number;
  message: string;
  ed25519Seed: string;
  publicKey: string;
  signature: string;
  verified: number;
  tamperedVerified: number;
  blake2b512: string;
  x25519Scalar: string;
  x25519Point: string;
  x25519: string;
  chachaKey: string;
  chachaNonce: string;
  chacha20: string;
}

function runHarness(...args: string[]) {
  const result = spawnSync(harness, args, { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(missing.length > 0)(
  `the AOT-compiled stack on x86-64${missing.length > 0 ? ` (skipped: ${missing.join(", ")} not installed; apt-get install wabt gcc)` : ""}`,
  () => {
    let crypto: Crypto;
    beforeAll(async () => {
      const build = buildNative("host");
      expect(build.status, build.output).toBe(0);
      crypto = await loadCrypto();
    }, 120_000);

    it("computes what stack.wasm computes under Node, for seeded inputs", () => {
      const run = runHarness("vectors", "1", "2", "3", "4", "5");
      expect(run.status, run.stderr).toBe(0);
      const vectors = run.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Vector);
      expect(vectors).toHaveLength(5);
      for (const v of vectors) {
        const message = bytes(v.message);
        expect(v.publicKey).toBe(hex(crypto.ed25519PublicKey(bytes(v.ed25519Seed))));
        expect(v.signature).toBe(hex(crypto.ed25519Sign(message, bytes(v.ed25519Seed))));
        expect(v.verified).toBe(1);
        expect(v.tamperedVerified).toBe(0);
        expect(v.blake2b512).toBe(hex(crypto.blake2b(message, 64)));
        expect(v.x25519).toBe(hex(crypto.x25519(bytes(v.x25519Scalar), bytes(v.x25519Point))));
        expect(v.chacha20).toBe(hex(crypto.chacha20(bytes(v.chachaKey), bytes(v.chachaNonce), 0, message)));
      }
    });

    it("traps on a read past the end of linear memory instead of reading C memory", () => {
      const run = runHarness("trap", "oob");
      expect(run.status).toBe(70);
      expect(run.stdout).toContain("trap: out-of-bounds memory or table access");
    });

    it("reports the stack's own abort with its message", () => {
      const run = runHarness("trap", "abort");
      expect(run.status).toBe(70);
      expect(run.stdout).toContain("trap: abort: chacha20: block counter would wrap");
    });

    it("refuses to grow memory past the static arena, and the stack's allocator then traps", () => {
      const run = runHarness("trap", "grow");
      expect(run.status).toBe(70);
      expect(run.stdout).toContain("trap: unreachable executed: out of memory (arena full)");
    });
  },
);
