/* Crypto calls through the stack's exports (crypto-ops.h). */
#include "crypto-ops.h"

#include "imports.h"

void crypto_ops_bind(struct crypto_ops *ops, Z_stack_instance_t *stack) {
  ops->stack = stack;
  ops->data_address = Z_stackZ_ioDataPointer(stack);
  ops->data_size = Z_stackZ_ioDataSize(stack);
  ops->args_address = Z_stackZ_ioArgsPointer(stack);
  ops->data = native_memory_span(&stack->w2c_memory, ops->data_address, ops->data_size);
  ops->args = native_memory_span(&stack->w2c_memory, ops->args_address, 512);
}

void crypto_ops_ed25519_public_key(struct crypto_ops *ops) {
  Z_stackZ_ed25519PublicKey(ops->stack, ops->args_address + ARG_PUBLIC_KEY, ops->args_address + ARG_SEED);
}

void crypto_ops_ed25519_sign(struct crypto_ops *ops, uint32_t message_length) {
  /* RFC 8032 §5.1.6 in two passes over the message: nonce, then challenge. */
  /* ARG_PUBLIC_KEY holds the seed's key (crypto_ops_ed25519_public_key), as libsodium's secret key does. */
  Z_stackZ_ed25519SignInit(ops->stack, ops->args_address + ARG_SEED, ops->args_address + ARG_PUBLIC_KEY);
  Z_stackZ_ed25519SignNonceUpdate(ops->stack, ops->data_address, message_length);
  Z_stackZ_ed25519SignCommit(ops->stack);
  Z_stackZ_ed25519SignUpdate(ops->stack, ops->data_address, message_length);
  Z_stackZ_ed25519SignFinal(ops->stack, ops->args_address + ARG_SIGNATURE);
}

uint32_t crypto_ops_ed25519_verify(struct crypto_ops *ops, uint32_t message_length) {
  Z_stackZ_ed25519VerifyInit(ops->stack, ops->args_address + ARG_SIGNATURE, ops->args_address + ARG_PUBLIC_KEY);
  Z_stackZ_ed25519VerifyUpdate(ops->stack, ops->data_address, message_length);
  return Z_stackZ_ed25519VerifyFinal(ops->stack);
}

void crypto_ops_x25519(struct crypto_ops *ops) {
  Z_stackZ_x25519(ops->stack, ops->args_address + ARG_SHARED, ops->args_address + ARG_SCALAR,
                  ops->args_address + ARG_POINT);
}

void crypto_ops_blake2b(struct crypto_ops *ops, uint32_t message_length) {
  Z_stackZ_blake2bInit(ops->stack, 64, 0, 0);
  Z_stackZ_blake2bUpdate(ops->stack, ops->data_address, message_length);
  Z_stackZ_blake2bFinal(ops->stack, ops->args_address + ARG_DIGEST);
}

void crypto_ops_chacha20(struct crypto_ops *ops, uint32_t length) {
  uint32_t counter = 0;
  while (length > 0) {
    uint32_t chunk = length < ops->data_size ? length : ops->data_size;
    Z_stackZ_chacha20Xor(ops->stack, ops->data_address, ops->data_address, chunk, ops->args_address + ARG_KEY,
                         ops->args_address + ARG_NONCE, counter);
    counter += chunk / 64; /* the window is a whole number of 64-byte blocks */
    length -= chunk;
  }
}

void crypto_ops_fill(uint8_t *out, size_t length, uint32_t seed) {
  uint32_t state = seed != 0 ? seed : 0x9E3779B9u;
  for (size_t i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    out[i] = (uint8_t)state;
  }
}
