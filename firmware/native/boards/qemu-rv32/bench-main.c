/*
 * Bench firmware (bench.elf): runs each crypto operation through the AOT-compiled stack and reports
 * the instructions it retired, read from minstret (RISC-V privileged spec v1.12 §3.1.11, "Hardware
 * Performance Monitor"). Run under `qemu-system-riscv32 -icount shift=0`, where QEMU counts guest
 * instructions exactly; without -icount QEMU returns host ticks there. Also reports the deepest C
 * stack use seen (the stack is painted first), which sizes the board's stack.
 * No tunnel: it needs neither radio nor storage, and powers QEMU off when done.
 */
#include "crypto-ops.h"
#include "hal.h"
#include "imports.h"
#include "log.h"
#include "platform.h"
#include "stack.h"

#define STACK_PAINT 0xA5u

extern uint8_t __stack_bottom[], __stack_top[];

static Z_stack_instance_t stack;
static struct native_imports imports;

WASM_RT_NO_RETURN void native_trap(const char *reason, const char *detail) {
  native_log("trap: ", reason, detail != 0 ? ": " : 0, detail);
  board_power_off(1);
}

static uint64_t instructions_retired(void) {
  uint32_t high, low;
  do {
    __asm__ volatile("csrr %0, minstreth" : "=r"(high));
    __asm__ volatile("csrr %0, minstret" : "=r"(low));
    uint32_t again;
    __asm__ volatile("csrr %0, minstreth" : "=r"(again));
    if (again == high) break;
  } while (1);
  return (uint64_t)high << 32 | low;
}

__attribute__((noinline)) static void paint_stack(void) {
  uintptr_t sp;
  __asm__ volatile("mv %0, sp" : "=r"(sp));
  /* Up to 64 bytes below this frame: the live frames above stay untouched. */
  for (uint8_t *p = __stack_bottom; (uintptr_t)p < sp - 64; p++) *p = STACK_PAINT;
}

static uint32_t stack_peak(void) {
  uint8_t *p = __stack_bottom;
  while (p < __stack_top && *p == STACK_PAINT) p++;
  return (uint32_t)(__stack_top - p);
}

static void report(const char *name, uint64_t instructions) {
  char number[21];
  native_log("bench ", name, " instructions=", native_decimal(number, instructions));
}

#define MEASURE(name, call)                        \
  do {                                             \
    uint64_t before = instructions_retired();      \
    call;                                          \
    report(name, instructions_retired() - before); \
  } while (0)

void meshstack_main(void) {
  hal_init();
  paint_stack();
  wasm_rt_init();
  Z_stack_init_module();
  native_imports_bind(&imports, &stack.w2c_memory);
  Z_stack_instantiate(&stack, &imports.bus, &imports.env, &imports.espnow, &imports.system, &imports.uart,
                      &imports.udp);
  struct crypto_ops ops;
  crypto_ops_bind(&ops, &stack);
  crypto_ops_fill(ops.args, 512, 1);
  crypto_ops_fill(ops.data, 1024, 2);

  MEASURE("ed25519-public-key", crypto_ops_ed25519_public_key(&ops));
  MEASURE("ed25519-sign-64B", crypto_ops_ed25519_sign(&ops, 64));
  uint32_t valid = 0;
  MEASURE("ed25519-verify-64B", valid = crypto_ops_ed25519_verify(&ops, 64));
  if (valid != 1) native_trap("bench", "ed25519 signature did not verify");
  MEASURE("x25519", crypto_ops_x25519(&ops));
  MEASURE("blake2b-1KiB", crypto_ops_blake2b(&ops, 1024));
  MEASURE("chacha20-1KiB", crypto_ops_chacha20(&ops, 1024));

  char number[21];
  native_log("bench stack-peak bytes=", native_decimal(number, stack_peak()), 0, 0);
  native_log("bench heap-top bytes=", native_decimal(number, Z_stackZ_heapTop(&stack)), 0, 0);
  native_log("bench done", 0, 0, 0);
  board_power_off(0);
}
