/*
 * x86-64 harness of the AOT-compiled stack with meshstack's runtime (docs/native.md): the same
 * generated C, runtime and imports as the firmware, gcc -O2, for the differential tests and the
 * native benchmark. Commands:
 *   harness vectors SEED…     one JSON line per seed: inputs and outputs of Ed25519, X25519,
 *                             BLAKE2b-512 and ChaCha20, for test/native/runtime.test.ts to compare
 *                             with the wasm run under Node
 *   harness bench ITERATIONS  one JSON line: median-free raw nanoseconds per operation (the caller
 *                             interleaves rounds and takes medians)
 *   harness trap KIND         provokes a trap inside the stack: oob | abort | grow
 * A trap prints `trap: <reason>` and exits with status 70.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto-ops.h"
#include "hal.h"
#include "imports.h"
#include "log.h"
#include "stack.h"

#define TRAP_EXIT_STATUS 70

static Z_stack_instance_t stack;
static struct native_imports imports;

WASM_RT_NO_RETURN void native_trap(const char *reason, const char *detail) {
  native_log("trap: ", reason, detail != 0 ? ": " : 0, detail);
  exit(TRAP_EXIT_STATUS);
}

static void instantiate(void) {
  wasm_rt_init();
  Z_stack_init_module();
  native_imports_bind(&imports, &stack.w2c_memory);
  Z_stack_instantiate(&stack, &imports.bus, &imports.env, &imports.espnow, &imports.system, &imports.uart,
                      &imports.udp);
}

static void print_hex(const char *name, const uint8_t *bytes, size_t length, int last) {
  printf("\"%s\":\"", name);
  for (size_t i = 0; i < length; i++) printf("%02x", bytes[i]);
  printf("\"%s", last ? "" : ",");
}

/* Message lengths cross BLAKE2b's 128-byte block and ChaCha20's 64-byte block boundaries. */
static void vectors(uint32_t seed) {
  struct crypto_ops ops;
  crypto_ops_bind(&ops, &stack);
  uint32_t length = 1 + seed * 97 % 700;
  uint8_t message[1024], seed_bytes[32], scalar[32], point[32], key[32], nonce[12];
  crypto_ops_fill(message, length, seed * 11 + 1);
  crypto_ops_fill(seed_bytes, 32, seed * 11 + 2);
  crypto_ops_fill(scalar, 32, seed * 11 + 3);
  crypto_ops_fill(point, 32, seed * 11 + 4);
  crypto_ops_fill(key, 32, seed * 11 + 5);
  crypto_ops_fill(nonce, 12, seed * 11 + 6);

  memcpy(ops.data, message, length);
  memcpy(ops.args + ARG_SEED, seed_bytes, 32);
  crypto_ops_ed25519_public_key(&ops);
  crypto_ops_ed25519_sign(&ops, length);
  uint32_t valid = crypto_ops_ed25519_verify(&ops, length);
  ops.data[0] ^= 1;
  uint32_t tampered_valid = crypto_ops_ed25519_verify(&ops, length);
  ops.data[0] ^= 1;
  crypto_ops_blake2b(&ops, length);
  memcpy(ops.args + ARG_SCALAR, scalar, 32);
  memcpy(ops.args + ARG_POINT, point, 32);
  crypto_ops_x25519(&ops);
  memcpy(ops.args + ARG_KEY, key, 32);
  memcpy(ops.args + ARG_NONCE, nonce, 12);
  crypto_ops_chacha20(&ops, length);

  printf("{\"seed\":%u,", seed);
  print_hex("message", message, length, 0);
  print_hex("ed25519Seed", seed_bytes, 32, 0);
  print_hex("publicKey", ops.args + ARG_PUBLIC_KEY, 32, 0);
  print_hex("signature", ops.args + ARG_SIGNATURE, 64, 0);
  printf("\"verified\":%u,\"tamperedVerified\":%u,", valid, tampered_valid);
  print_hex("blake2b512", ops.args + ARG_DIGEST, 64, 0);
  print_hex("x25519Scalar", scalar, 32, 0);
  print_hex("x25519Point", point, 32, 0);
  print_hex("x25519", ops.args + ARG_SHARED, 32, 0);
  print_hex("chachaKey", key, 32, 0);
  print_hex("chachaNonce", nonce, 12, 0);
  print_hex("chacha20", ops.data, length, 1);
  printf("}\n");
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

#define TIME(name, iterations, call)                                  \
  do {                                                                \
    double start = now_ns();                                          \
    for (int i = 0; i < (iterations); i++) call;                      \
    printf("%s\"%s\":%.1f", first ? "" : ",", name, (now_ns() - start) / (iterations)); \
    first = 0;                                                        \
  } while (0)

static void bench(int iterations) {
  struct crypto_ops ops;
  crypto_ops_bind(&ops, &stack);
  crypto_ops_fill(ops.args, 512, 1);
  crypto_ops_fill(ops.data, ops.data_size, 2);
  crypto_ops_ed25519_public_key(&ops);
  crypto_ops_ed25519_sign(&ops, 64);
  int first = 1;
  uint32_t valid = 1;
  printf("{");
  TIME("ed25519-sign", iterations, crypto_ops_ed25519_sign(&ops, 64));
  TIME("ed25519-verify", iterations, valid &= crypto_ops_ed25519_verify(&ops, 64));
  TIME("x25519", iterations, crypto_ops_x25519(&ops));
  TIME("chacha20-1KiB", iterations * 20, crypto_ops_chacha20(&ops, 1024));
  TIME("chacha20-16KiB", iterations * 2, crypto_ops_chacha20(&ops, 16384));
  TIME("blake2b-1KiB", iterations * 20, crypto_ops_blake2b(&ops, 1024));
  printf("}\n");
  if (valid != 1) native_trap("bench", "ed25519 signature did not verify");
}

static void trap(const char *kind) {
  struct crypto_ops ops;
  crypto_ops_bind(&ops, &stack);
  if (strcmp(kind, "oob") == 0) {
    /* BLAKE2b reads past the end of linear memory: the runtime's bounds check traps. */
    Z_stackZ_blake2bInit(&stack, 32, 0, 0);
    Z_stackZ_blake2bUpdate(&stack, stack.w2c_memory.size - 16, 256);
  } else if (strcmp(kind, "abort") == 0) {
    /* ChaCha20's counter would wrap (RFC 8439 §2.4): the stack calls env.abort with its reason. */
    Z_stackZ_chacha20Xor(&stack, ops.data_address, ops.data_address, 128, ops.args_address + ARG_KEY,
                         ops.args_address + ARG_NONCE, 0xFFFFFFFFu);
  } else if (strcmp(kind, "grow") == 0) {
    /* Pools until the arena is full: the stub runtime's memory.grow is refused, then it traps. */
    for (int i = 0; i < 10000; i++) Z_stackZ_poolCreate(&stack, 16);
  } else {
    fprintf(stderr, "harness: unknown trap kind '%s' (oob, abort, grow)\n", kind);
    exit(2);
  }
  printf("no trap\n");
  exit(1);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: harness vectors SEED… | bench ITERATIONS | trap oob|abort|grow\n");
    return 2;
  }
  instantiate();
  if (strcmp(argv[1], "vectors") == 0) {
    for (int i = 2; i < argc; i++) vectors((uint32_t)strtoul(argv[i], 0, 10));
  } else if (strcmp(argv[1], "bench") == 0) {
    bench(argc > 2 ? atoi(argv[2]) : 20);
  } else if (strcmp(argv[1], "trap") == 0 && argc > 2) {
    trap(argv[2]);
  } else {
    fprintf(stderr, "harness: unknown command '%s'\n", argv[1]);
    return 2;
  }
  return 0;
}
