/* Plain-text log lines from the C side (boot, traps), written straight to the console UART. */
#ifndef MESHSTACK_LOG_H
#define MESHSTACK_LOG_H

#include <stdint.h>

/* One line: the parts concatenated, then CRLF. Null parts are skipped. No allocation, no printf. */
void native_log(const char *a, const char *b, const char *c, const char *d);
/* Decimal text of `value` in `out` (at least 21 bytes); returns out. */
char *native_decimal(char *out, uint64_t value);

#endif
