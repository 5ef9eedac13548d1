/*
 * ns16550a driver (register map and bits: TI PC16550D datasheet, SNLS378C, table 2 and §8.6; QEMU
 * hw/char/serial.c implements the same). QEMU ignores the baud divisor and applies back-pressure to
 * the host side instead of dropping bytes, so polling the receiver loses nothing.
 */
#include "uart.h"

#include "platform.h"

#define RBR 0u /* receiver buffer (read) */
#define THR 0u /* transmitter holding (write) */
#define IER 1u /* interrupt enable */
#define FCR 2u /* FIFO control (write) */
#define LCR 3u /* line control */
#define LSR 5u /* line status */

#define IER_RECEIVED_DATA 0x01u
#define FCR_ENABLE_AND_CLEAR 0x07u /* FIFO enable, clear RX and TX FIFOs */
#define LCR_8N1 0x03u
#define LSR_DATA_READY 0x01u
#define LSR_THR_EMPTY 0x20u
#define LSR_TRANSMITTER_EMPTY 0x40u

#define REG(offset) MMIO8(UART0_BASE + (offset))

void uart_init(void) {
  REG(LCR) = LCR_8N1;
  REG(FCR) = FCR_ENABLE_AND_CLEAR;
  /* Received-data interrupt: raises PLIC source 10, which wakes wfi (platform.h). */
  REG(IER) = IER_RECEIVED_DATA;
}

void uart_write(const uint8_t *bytes, size_t length) {
  for (size_t i = 0; i < length; i++) {
    while ((REG(LSR) & LSR_THR_EMPTY) == 0) {
    }
    REG(THR) = bytes[i];
  }
}

bool uart_data_ready(void) {
  return (REG(LSR) & LSR_DATA_READY) != 0;
}

int uart_read_byte(void) {
  if (!uart_data_ready()) return -1;
  return REG(RBR);
}

void uart_drain(void) {
  while ((REG(LSR) & LSR_TRANSMITTER_EMPTY) == 0) {
  }
}
