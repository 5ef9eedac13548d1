/*
 * The firmware's main loop, shared by every board: instantiate the AOT-compiled stack, build the
 * node as host/vboard/board-runtime.ts does for a board with one LoRa radio (on the QEMU board an
 * SX1262 on bus 0; BOARD_RADIO_KIND picks SX1276 on boards that carry one) and a console, then
 * feed the console UART bytes and poll at the deadlines the stack returns (docs/serial-protocol.md,
 * "The board side"). Board specifics come from board-config.h.
 */
#include <string.h>

#include "board-config.h"
#include "hal.h"
#include "imports.h"
#include "log.h"
#include "stack.h"

/* nodeCreate flags (firmware/node/node-settings.ts; host/wasm/stack.ts createNode). */
#define NODE_FLAG_DIO2_RF_SWITCH 1u
#define NODE_FLAG_MCU_RF_SWITCH 2u
#define NODE_FLAG_HIGH_POWER_PA 4u
/* nodeCreate radio kinds (host/wasm/stack.ts RadioKind); a board-config.h names one as
 * BOARD_RADIO_KIND, SX1262 when it does not. */
#define RADIO_KIND_SX1262 0u
#define RADIO_KIND_SX1276 1u
#ifndef BOARD_RADIO_KIND
#define BOARD_RADIO_KIND RADIO_KIND_SX1262
#endif
#define IDENTITY_SEED_BYTES 32u
/* nodeSetRouting strategies (firmware/node/node-settings.ts NodeRouting). */
#define NODE_ROUTING_NONE ((u32)-1)
#define NODE_ROUTING_FLOODING 0u
#define NODE_ROUTING_NEXT_HOP 1u
#define NODE_ROUTING_ELECTRIC 2u
#ifndef BOARD_ROUTING
/* As every meshstack board routes (host/vboard/board-runtime.ts VIRTUAL_BOARD_ROUTING). */
#define BOARD_ROUTING NODE_ROUTING_ELECTRIC
#endif
/* availabilityLinkRoutingInfo: which = 4 is the node's last announce sequence. */
#define ROUTING_INFO_ANNOUNCE_SEQUENCE 4u
/* Announce sequences are leased from key storage this many at a time: one write per 16 announces,
 * and after a reset the node announces above every sequence it may have used. */
#define ANNOUNCE_LEASE 16u
/* nodeCreate's sixth handle (argument area + 20): the Availability link, or -1. */
#define HANDLE_AVAILABILITY_OFFSET 20u
/* consolePoll answers 9.2e18 when nothing is due; waking hourly anyway costs nothing. */
#define MAX_SLEEP_MS 3600000u

static Z_stack_instance_t stack;
static struct native_imports imports;
/* The Availability link's handle (-1 when the node does not route) and the announce sequence key
 * storage holds: announces up to it are covered. */
static int32_t availability_link = -1;
static uint32_t announce_lease;

WASM_RT_NO_RETURN void native_trap(const char *reason, const char *detail) {
  native_log("trap: ", reason, detail != 0 ? ": " : 0, detail);
  hal_restart();
}

static const char *node_error(u32 code) {
  switch ((int32_t)code) {
    case -1: return "bad argument";
    case -2: return "frequency not allowed in the region";
    case -3: return "radio chip did not answer";
    case -4: return "this instance already runs a node";
  }
  return "unknown error";
}

/* The identity seed from key storage; made from the hardware RNG and stored on first boot. */
static void load_identity_seed(uint8_t seed[IDENTITY_SEED_BYTES]) {
  if (hal_storage_read(HAL_SLOT_IDENTITY_SEED, seed, IDENTITY_SEED_BYTES) == IDENTITY_SEED_BYTES) return;
  hal_random(seed, IDENTITY_SEED_BYTES);
  if (!hal_storage_write(HAL_SLOT_IDENTITY_SEED, seed, IDENTITY_SEED_BYTES)) {
    native_log("native: key storage refused the new identity; it lasts until reset", 0, 0, 0);
  } else {
    native_log("native: new identity created and stored", 0, 0, 0);
  }
}

struct radio_settings {
  uint32_t region_index, preset_index;
  int32_t tx_power_dbm;
};

/* Stored settings (ConfigSet on a host that persists them), else the board's defaults. */
static struct radio_settings load_radio_settings(void) {
  struct radio_settings settings = {BOARD_DEFAULT_REGION_INDEX, BOARD_DEFAULT_PRESET_INDEX, BOARD_DEFAULT_TX_POWER_DBM};
  uint8_t stored[3];
  if (hal_storage_read(HAL_SLOT_RADIO_SETTINGS, stored, sizeof stored) == sizeof stored) {
    settings.region_index = stored[0];
    settings.preset_index = stored[1];
    settings.tx_power_dbm = (int8_t)stored[2];
  }
  return settings;
}

static uint32_t load_announce_lease(void) {
  uint8_t stored[4];
  if (hal_storage_read(HAL_SLOT_ANNOUNCE_SEQUENCE, stored, sizeof stored) != sizeof stored) return 0;
  return (uint32_t)stored[0] | (uint32_t)stored[1] << 8 | (uint32_t)stored[2] << 16 | (uint32_t)stored[3] << 24;
}

/* Keeps the stored lease ahead of the sequences the node has announced with (nodeSetRouting: "the
 * last announce sequence the board persisted"; receivers drop announces that do not go above it). */
static void persist_announce_sequence(uint64_t now) {
  if (availability_link < 0) return;
  double sequence = Z_stackZ_availabilityLinkRoutingInfo(&stack, (u32)availability_link,
                                                          ROUTING_INFO_ANNOUNCE_SEQUENCE, (double)now);
  if (!(sequence >= announce_lease) || sequence > 4294967295.0 - ANNOUNCE_LEASE) return;
  uint32_t lease = (uint32_t)sequence + ANNOUNCE_LEASE;
  uint8_t bytes[4] = {(uint8_t)lease, (uint8_t)(lease >> 8), (uint8_t)(lease >> 16), (uint8_t)(lease >> 24)};
  if (hal_storage_write(HAL_SLOT_ANNOUNCE_SEQUENCE, bytes, sizeof bytes)) announce_lease = lease;
}

static u32 create_node(const struct radio_settings *settings, uint8_t *window) {
  if (BOARD_ROUTING != NODE_ROUTING_NONE) {
    u32 set = Z_stackZ_nodeSetRouting(&stack, BOARD_ROUTING, announce_lease);
    if (set != 0) return set;
  }
  uint8_t node_seed[4];
  hal_random(node_seed, sizeof node_seed);
  load_identity_seed(window);
  u32 result = Z_stackZ_nodeCreate(&stack, BOARD_RADIO_KIND, BOARD_RADIO_BUS, settings->preset_index,
                                   settings->region_index, 0, (u32)settings->tx_power_dbm, BOARD_TCXO_MILLIVOLTS,
                                   BOARD_RADIO_FLAGS, BOARD_PACKET_POOL_SIZE,
                                   (u32)node_seed[0] | (u32)node_seed[1] << 8 | (u32)node_seed[2] << 16 |
                                       (u32)node_seed[3] << 24,
                                   Z_stackZ_ioDataPointer(&stack));
  /* The node expanded and copied the seed; the I/O window must not keep it. */
  memset(window, 0, IDENTITY_SEED_BYTES);
  if (result == 0) {
    const uint8_t *handles = native_memory_span(&stack.w2c_memory, Z_stackZ_ioArgsPointer(&stack) + HANDLE_AVAILABILITY_OFFSET, 4);
    availability_link = (int32_t)((uint32_t)handles[0] | (uint32_t)handles[1] << 8 | (uint32_t)handles[2] << 16 |
                                  (uint32_t)handles[3] << 24);
  }
  return result;
}

static void start_console(uint8_t *window) {
  size_t name_length = strlen(BOARD_NAME);
  memcpy(window, BOARD_NAME, name_length);
  if ((int32_t)Z_stackZ_consoleSetBoardName(&stack, (u32)name_length) != 0) native_trap("bad board name", BOARD_NAME);
  if ((int32_t)Z_stackZ_consoleStart(&stack, 1) != 0) native_trap("console did not start", 0);
}

static uint64_t next_wake(double deadline, uint64_t now) {
  if (!(deadline >= 0)) return now + 1000; /* −1: the console refused the time; retry in a second */
  if (deadline > (double)(now + MAX_SLEEP_MS)) return now + MAX_SLEEP_MS;
  return (uint64_t)deadline;
}

void meshstack_main(void) {
  hal_init();
  wasm_rt_init();
  Z_stack_init_module();
  native_imports_bind(&imports, &stack.w2c_memory);
  Z_stack_instantiate(&stack, &imports.bus, &imports.env, &imports.espnow, &imports.system, &imports.uart,
                      &imports.udp);

  uint32_t window_size = Z_stackZ_ioDataSize(&stack);
  uint8_t *window = native_memory_span(&stack.w2c_memory, Z_stackZ_ioDataPointer(&stack), window_size);

  struct radio_settings settings = load_radio_settings();
  announce_lease = load_announce_lease();
  u32 created = create_node(&settings, window);
  if (created != 0 && (settings.region_index != BOARD_DEFAULT_REGION_INDEX ||
                       settings.preset_index != BOARD_DEFAULT_PRESET_INDEX ||
                       settings.tx_power_dbm != BOARD_DEFAULT_TX_POWER_DBM)) {
    /* Stored settings the stack rejects must not brick the board: fall back to the defaults. A
     * failed nodeCreate leaves no node behind, so it may be called again. */
    native_log("native: stored radio settings rejected (", node_error(created), "); using defaults", 0);
    settings = (struct radio_settings){BOARD_DEFAULT_REGION_INDEX, BOARD_DEFAULT_PRESET_INDEX,
                                       BOARD_DEFAULT_TX_POWER_DBM};
    created = create_node(&settings, window);
  }
  if (created != 0) {
    /* Without a node there is no console to talk to; say why, wait, and try again from reset. */
    native_log("native: node not created: ", node_error(created), "; restarting in 5 s", 0);
    hal_sleep_until(hal_millis() + 5000);
    hal_restart();
  }
  start_console(window);

#ifdef NATIVE_TRAP_TEST
  /* Trap-test build (scripts/build-native.mjs --trap-test): make the stack itself read past the end
   * of linear memory, so the runtime's bounds check traps inside the AOT-compiled BLAKE2b. */
  Z_stackZ_blake2bInit(&stack, 32, 0, 0);
  Z_stackZ_blake2bUpdate(&stack, stack.w2c_memory.size - 16, 256);
#endif

  for (;;) {
    size_t received = hal_uart_read(window, window_size);
    if (received > 0) Z_stackZ_consoleReceive(&stack, (u32)received);
    uint64_t now = hal_millis();
    double deadline = Z_stackZ_consolePoll(&stack, (double)now);
    persist_announce_sequence(now);
    /* More bytes may already be waiting: read them before sleeping. */
    if (received > 0) continue;
    hal_sleep_until(next_wake(deadline, now));
  }
}
