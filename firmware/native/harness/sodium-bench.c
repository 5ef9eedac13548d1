/*
 * The libsodium baseline of `npm run bench -- native` (host/bench/native-bench.ts): the same
 * operations, inputs and iteration counts as `harness bench`, through Debian's libsodium (native C,
 * with its own assembly where it has any). Prints one JSON line of nanoseconds per operation.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

int main(int argc, char **argv) {
  if (sodium_init() < 0) return 1;
  int iterations = argc > 1 ? atoi(argv[1]) : 20;
  static unsigned char message[64], seed[32], public_key[32], secret_key[64], signature[64];
  static unsigned char scalar[32], point[32], shared[32], key[32], nonce[12], data[16384], digest[64];
  randombytes_buf(message, sizeof message);
  randombytes_buf(seed, sizeof seed);
  randombytes_buf(scalar, sizeof scalar);
  randombytes_buf(point, sizeof point);
  randombytes_buf(key, sizeof key);
  randombytes_buf(nonce, sizeof nonce);
  randombytes_buf(data, sizeof data);
  crypto_sign_seed_keypair(public_key, secret_key, seed);
  crypto_sign_detached(signature, NULL, message, sizeof message, secret_key);
  int first = 1, invalid = 0;
  printf("{");
  TIME("ed25519-sign", iterations, crypto_sign_detached(signature, NULL, message, sizeof message, secret_key));
  TIME("ed25519-verify", iterations,
       invalid |= crypto_sign_verify_detached(signature, message, sizeof message, public_key));
  /* X25519 of an arbitrary u-coordinate; a small-order result (-1) does not matter for timing. */
  int small_order = 0;
  TIME("x25519", iterations, small_order |= crypto_scalarmult(shared, scalar, point));
  (void)small_order;
  TIME("chacha20-1KiB", iterations * 20, crypto_stream_chacha20_ietf_xor_ic(data, data, 1024, nonce, 0, key));
  TIME("chacha20-16KiB", iterations * 2, crypto_stream_chacha20_ietf_xor_ic(data, data, 16384, nonce, 0, key));
  TIME("blake2b-1KiB", iterations * 20, crypto_generichash(digest, 64, data, 1024, NULL, 0));
  printf("}\n");
  return invalid ? 1 : 0;
}
