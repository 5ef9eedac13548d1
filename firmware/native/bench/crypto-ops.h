/*
 * The crypto operations the benchmarks and the differential test run through the AOT-compiled
 * stack's exports (firmware/exports/crypto-*.ts), with their inputs placed in the stack's I/O window
 * the way a host binding does (host/wasm/crypto.ts). Shared by the rv32 bench firmware and the
 * x86-64 harness, so both measure the same calls.
 */
#ifndef MESHSTACK_CRYPTO_OPS_H
#define MESHSTACK_CRYPTO_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "stack.h"

struct crypto_ops {
  Z_stack_instance_t *stack;
  uint8_t *data; /* I/O data area */
  uint8_t *args; /* I/O argument area */
  uint32_t data_address, args_address, data_size;
};

/* Offsets in the argument area (512 bytes). */
enum {
  ARG_SEED = 0,
  ARG_PUBLIC_KEY = 32,
  ARG_SIGNATURE = 64,
  ARG_SCALAR = 128,
  ARG_POINT = 160,
  ARG_SHARED = 192,
  ARG_KEY = 224,
  ARG_NONCE = 256,
  ARG_DIGEST = 288,
};

void crypto_ops_bind(struct crypto_ops *ops, Z_stack_instance_t *stack);

/* Each reads its inputs from the areas (message at the start of the data area) and writes its
 * output to the offsets above. */
void crypto_ops_ed25519_public_key(struct crypto_ops *ops);
void crypto_ops_ed25519_sign(struct crypto_ops *ops, uint32_t message_length);
/* 1 when ARG_SIGNATURE is valid for the message under ARG_PUBLIC_KEY. */
uint32_t crypto_ops_ed25519_verify(struct crypto_ops *ops, uint32_t message_length);
void crypto_ops_x25519(struct crypto_ops *ops);
/* BLAKE2b-512 (unkeyed) of the message into ARG_DIGEST. */
void crypto_ops_blake2b(struct crypto_ops *ops, uint32_t message_length);
/* ChaCha20 (RFC 8439) of `length` bytes in place, streamed through the data area in window-sized
 * chunks with the block counter carried on, as a host would. */
void crypto_ops_chacha20(struct crypto_ops *ops, uint32_t length);

/* Deterministic filler for inputs (xorshift32), so a native run and a Node run see the same bytes. */
void crypto_ops_fill(uint8_t *out, size_t length, uint32_t seed);

#endif
