/*
 * The QEMU RISC-V virtual board (boards/qemu-rv32.ts): one SX1262, on the host's chip model through
 * the UART tunnel, wired like the Node virtual board (boards/virtual.ts): TCXO at 1.8 V from DIO3,
 * DIO2 as RF switch, high-power PA.
 */
#ifndef MESHSTACK_BOARD_CONFIG_H
#define MESHSTACK_BOARD_CONFIG_H

#define BOARD_NAME "qemu-rv32"
#define BOARD_RADIO_KIND RADIO_KIND_SX1262
#define BOARD_RADIO_BUS 0u
#define BOARD_TCXO_MILLIVOLTS 1800u
#define BOARD_RADIO_FLAGS (NODE_FLAG_DIO2_RF_SWITCH | NODE_FLAG_HIGH_POWER_PA)
/* EU868, SF7BW125, 14 dBm: what `mesh vboard` starts a Node virtual board with. */
#define BOARD_DEFAULT_REGION_INDEX 0u
#define BOARD_DEFAULT_PRESET_INDEX 0u
#define BOARD_DEFAULT_TX_POWER_DBM 14
/* Packet buffers in the node's pool (host/wasm/stack.ts createNode default). */
#define BOARD_PACKET_POOL_SIZE 16u

#endif
