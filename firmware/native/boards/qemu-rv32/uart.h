/* The console UART: QEMU virt's ns16550a at 0x10000000, polled, with its receive interrupt routed
 * through the PLIC only to wake the hart from wfi. */
#ifndef MESHSTACK_QEMU_UART_H
#define MESHSTACK_QEMU_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void uart_init(void);
void uart_write(const uint8_t *bytes, size_t length);
/* The next received byte, or -1 when the receive buffer is empty. */
int uart_read_byte(void);
/* True when a received byte is waiting. */
bool uart_data_ready(void);
/* Waits until the transmitter is empty (before a reset, so the last line is not cut). */
void uart_drain(void);

#endif
