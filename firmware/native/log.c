/* Plain-text logs (log.h). Whole lines per UART write, as the serial protocol asks of boards. */
#include "log.h"

#include <string.h>

#include "hal.h"

void native_log(const char *a, const char *b, const char *c, const char *d) {
  char line[192];
  size_t length = 0;
  const char *parts[4] = {a, b, c, d};
  for (int i = 0; i < 4; i++) {
    for (const char *p = parts[i]; p != 0 && *p != 0 && length < sizeof line - 2; p++) line[length++] = *p;
  }
  line[length++] = '\r';
  line[length++] = '\n';
  hal_uart_write((const uint8_t *)line, length);
}

char *native_decimal(char *out, uint64_t value) {
  char reversed[21];
  int count = 0;
  do reversed[count++] = (char)('0' + value % 10); while ((value /= 10) != 0);
  for (int i = 0; i < count; i++) out[i] = reversed[count - 1 - i];
  out[count] = 0;
  return out;
}
