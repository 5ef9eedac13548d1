/*
 * The HAL (firmware/native/hal/hal.h) over ESP-IDF v5.x drivers, for the ESP32, ESP32-S3 and ESP32-C3
 * boards in boards/. Pins and console come from board-config.h, which `mesh build` generates from
 * the board's definition. Kept thin on purpose: everything above these calls is the code that runs
 * and is tested on the QEMU board; this file is not compiled on the machines that test meshstack
 * (docs/esp-idf.md).
 *
 * Threads: the main loop (app_main's task) makes every HAL call. Two helpers only wake it: the radio
 * IRQ's GPIO interrupt and a console reader task; both send a task notification, which is what
 * hal_sleep_until waits on.
 */
#include "hal.h"

#include <string.h>

#include "board-config.h"
#include "driver/gpio.h"
#include "driver/spi_master.h"
#include "driver/uart.h"
#include "esp_attr.h"
#include "esp_event.h"
#include "esp_netif.h"
#include "esp_now.h"
#include "esp_random.h"
#include "esp_rom_sys.h"
#include "esp_system.h"
#include "esp_timer.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/stream_buffer.h"
#include "freertos/task.h"
#include "nvs.h"
#include "nvs_flash.h"
#if BOARD_CONSOLE_USB_SERIAL_JTAG
#include "driver/usb_serial_jtag.h"
#endif

#define RADIO_SPI_HOST SPI2_HOST
/* SX126x/SX127x take up to 16/10 MHz; 8 MHz leaves margin for long board traces. */
#define RADIO_SPI_HZ (8 * 1000 * 1000)
/* The longest transfer the drivers make: WriteBuffer/ReadBuffer of 255 bytes plus opcode and offset. */
#define RADIO_SPI_MAX_BYTES 260
#define CONSOLE_BAUD 115200
#define CONSOLE_BUFFER_BYTES 2048
#define ESPNOW_QUEUE_FRAMES 8
#define ESPNOW_MAX_FRAME 250
#define NVS_NAMESPACE "meshstack"

static TaskHandle_t main_task;
static spi_device_handle_t radio_spi;
static StreamBufferHandle_t console_in;
static nvs_handle_t storage;
static bool storage_ready;

static void wake_main_loop(void) {
  if (main_task != NULL) xTaskNotifyGive(main_task);
}

/* ---- radio: SPI and the logical lines of radio-drivers/bus.ts ---- */

static int radio_pin(uint32_t pin) {
  switch (pin) {
    case HAL_PIN_RESET: return BOARD_PIN_RESET;
    case HAL_PIN_BUSY: return BOARD_PIN_BUSY;
    case HAL_PIN_IRQ: return BOARD_PIN_IRQ;
    case HAL_PIN_RX_ENABLE: return BOARD_PIN_RX_ENABLE;
    case HAL_PIN_TX_ENABLE: return BOARD_PIN_TX_ENABLE;
  }
  return -1;
}

static void IRAM_ATTR on_radio_irq(void *unused) {
  (void)unused;
  BaseType_t woken = pdFALSE;
  vTaskNotifyGiveFromISR(main_task, &woken);
  portYIELD_FROM_ISR(woken);
}

static void output_pin(int pin, int level) {
  if (pin < 0) return;
  gpio_reset_pin(pin);
  gpio_set_direction(pin, GPIO_MODE_OUTPUT);
  gpio_set_level(pin, level);
}

static void radio_init(void) {
  spi_bus_config_t bus = {
      .mosi_io_num = BOARD_PIN_MOSI,
      .miso_io_num = BOARD_PIN_MISO,
      .sclk_io_num = BOARD_PIN_SCK,
      .quadwp_io_num = -1,
      .quadhd_io_num = -1,
      .max_transfer_sz = RADIO_SPI_MAX_BYTES,
  };
  ESP_ERROR_CHECK(spi_bus_initialize(RADIO_SPI_HOST, &bus, SPI_DMA_CH_AUTO));
  /* NSS is driven by the SPI peripheral and held low for the whole transaction, as the SX126x
   * command protocol needs (one command per NSS-low period). */
  spi_device_interface_config_t device = {
      .clock_speed_hz = RADIO_SPI_HZ,
      .mode = 0,
      .spics_io_num = BOARD_PIN_NSS,
      .queue_size = 1,
  };
  ESP_ERROR_CHECK(spi_bus_add_device(RADIO_SPI_HOST, &device, &radio_spi));

  /* Reset released (high) and the RF switch off until the driver decides. */
  output_pin(BOARD_PIN_RESET, 1);
  output_pin(BOARD_PIN_RX_ENABLE, 0);
  output_pin(BOARD_PIN_TX_ENABLE, 0);
  if (BOARD_PIN_BUSY >= 0) {
    gpio_reset_pin(BOARD_PIN_BUSY);
    gpio_set_direction(BOARD_PIN_BUSY, GPIO_MODE_INPUT);
  }
  gpio_reset_pin(BOARD_PIN_IRQ);
  gpio_set_direction(BOARD_PIN_IRQ, GPIO_MODE_INPUT);
  gpio_set_intr_type(BOARD_PIN_IRQ, GPIO_INTR_POSEDGE);
  ESP_ERROR_CHECK(gpio_install_isr_service(0));
  ESP_ERROR_CHECK(gpio_isr_handler_add(BOARD_PIN_IRQ, on_radio_irq, NULL));
}

void hal_spi_transfer(uint32_t bus, const uint8_t *tx, uint8_t *rx, size_t length) {
  if (bus != BOARD_RADIO_BUS || length == 0) return;
  spi_transaction_t transaction = {.length = length * 8, .tx_buffer = tx, .rx_buffer = rx};
  /* Polling: a radio command is a few bytes, shorter than an interrupt's round trip. */
  ESP_ERROR_CHECK(spi_device_polling_transmit(radio_spi, &transaction));
}

void hal_gpio_write(uint32_t bus, uint32_t pin, uint32_t level) {
  int gpio = bus == BOARD_RADIO_BUS ? radio_pin(pin) : -1;
  if (gpio >= 0) gpio_set_level(gpio, level != 0);
}

uint32_t hal_gpio_read(uint32_t bus, uint32_t pin) {
  int gpio = bus == BOARD_RADIO_BUS ? radio_pin(pin) : -1;
  return gpio >= 0 ? (uint32_t)gpio_get_level(gpio) : 0;
}

void hal_delay_us(uint32_t bus, uint32_t microseconds) {
  (void)bus;
  /* The drivers delay only for datasheet pulses (µs); a longer wait yields to the scheduler. */
  if (microseconds < 10000) esp_rom_delay_us(microseconds);
  else vTaskDelay(pdMS_TO_TICKS((microseconds + 999) / 1000));
}

/* ---- console: UART0 behind a USB bridge, or the USB-Serial-JTAG peripheral ---- */

static int console_read_blocking(uint8_t *buffer, size_t capacity, TickType_t wait) {
#if BOARD_CONSOLE_USB_SERIAL_JTAG
  return usb_serial_jtag_read_bytes(buffer, capacity, wait);
#else
  return uart_read_bytes(UART_NUM_0, buffer, capacity, wait);
#endif
}

/* Moves received bytes into `console_in` and wakes the main loop: the drivers have no callback. */
static void console_reader(void *unused) {
  (void)unused;
  uint8_t chunk[128];
  for (;;) {
    int count = console_read_blocking(chunk, 1, portMAX_DELAY);
    if (count <= 0) continue;
    count += console_read_blocking(chunk + 1, sizeof chunk - 1, 0);
    xStreamBufferSend(console_in, chunk, (size_t)count, portMAX_DELAY);
    wake_main_loop();
  }
}

static void console_init(void) {
#if BOARD_CONSOLE_USB_SERIAL_JTAG
  usb_serial_jtag_driver_config_t config = {
      .rx_buffer_size = CONSOLE_BUFFER_BYTES,
      .tx_buffer_size = CONSOLE_BUFFER_BYTES,
  };
  ESP_ERROR_CHECK(usb_serial_jtag_driver_install(&config));
#else
  uart_config_t config = {
      .baud_rate = CONSOLE_BAUD,
      .data_bits = UART_DATA_8_BITS,
      .parity = UART_PARITY_DISABLE,
      .stop_bits = UART_STOP_BITS_1,
      .flow_ctrl = UART_HW_FLOWCTRL_DISABLE,
      .source_clk = UART_SCLK_DEFAULT,
  };
  ESP_ERROR_CHECK(uart_driver_install(UART_NUM_0, CONSOLE_BUFFER_BYTES, CONSOLE_BUFFER_BYTES, 0, NULL, 0));
  ESP_ERROR_CHECK(uart_param_config(UART_NUM_0, &config));
#endif
  console_in = xStreamBufferCreate(CONSOLE_BUFFER_BYTES, 1);
  xTaskCreate(console_reader, "console", 3072, NULL, tskIDLE_PRIORITY + 2, NULL);
}

void hal_uart_write(const uint8_t *bytes, size_t length) {
#if BOARD_CONSOLE_USB_SERIAL_JTAG
  usb_serial_jtag_write_bytes(bytes, length, portMAX_DELAY);
#else
  uart_write_bytes(UART_NUM_0, bytes, length);
#endif
}

size_t hal_uart_read(uint8_t *buffer, size_t capacity) {
  return xStreamBufferReceive(console_in, buffer, capacity, 0);
}

/* ---- time ---- */

uint64_t hal_millis(void) {
  return (uint64_t)esp_timer_get_time() / 1000u;
}

void hal_sleep_until(uint64_t deadline_ms) {
  if (xStreamBufferBytesAvailable(console_in) > 0) return;
  uint64_t now = hal_millis();
  if (now >= deadline_ms) return;
  uint64_t ticks = (deadline_ms - now + portTICK_PERIOD_MS - 1) / portTICK_PERIOD_MS;
  /* A notification given before this call (IRQ, console byte) ends the wait at once. */
  ulTaskNotifyTake(pdTRUE, ticks > portMAX_DELAY - 1 ? portMAX_DELAY - 1 : (TickType_t)ticks);
}

/* ---- entropy and key storage ---- */

void hal_random(uint8_t *out, size_t length) {
  /* A true RNG while Wi-Fi runs (started in hal_init for ESP-NOW); see esp_random.h. */
  esp_fill_random(out, length);
}

static void storage_init(void) {
  esp_err_t status = nvs_flash_init();
  /* Erasing NVS here would throw the node's identity away; a board that needs it says so instead. */
  if (status == ESP_OK) status = nvs_open(NVS_NAMESPACE, NVS_READWRITE, &storage);
  storage_ready = status == ESP_OK;
}

static void slot_key(uint32_t slot, char key[8]) {
  memcpy(key, "slot", 4);
  key[4] = (char)('0' + (slot / 10) % 10);
  key[5] = (char)('0' + slot % 10);
  key[6] = 0;
}

size_t hal_storage_read(uint32_t slot, uint8_t *out, size_t capacity) {
  if (!storage_ready || slot > 99) return 0;
  char key[8];
  slot_key(slot, key);
  size_t length = capacity;
  if (nvs_get_blob(storage, key, out, &length) != ESP_OK) return 0;
  return length;
}

bool hal_storage_write(uint32_t slot, const uint8_t *bytes, size_t length) {
  if (!storage_ready || slot > 99 || length > HAL_STORAGE_MAX) return false;
  char key[8];
  slot_key(slot, key);
  return nvs_set_blob(storage, key, bytes, length) == ESP_OK && nvs_commit(storage) == ESP_OK;
}

/* ---- ESP-NOW (broadcast); UDP needs an access point and is not built yet ---- */

typedef struct {
  uint8_t length;
  uint8_t bytes[ESPNOW_MAX_FRAME];
} espnow_frame_t;

static QueueHandle_t espnow_received;
static const uint8_t broadcast_address[ESP_NOW_ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void on_espnow_receive(const esp_now_recv_info_t *info, const uint8_t *data, int length) {
  (void)info;
  if (length <= 0 || length > ESPNOW_MAX_FRAME) return;
  espnow_frame_t frame = {.length = (uint8_t)length};
  memcpy(frame.bytes, data, (size_t)length);
  /* Wi-Fi task context: a full queue drops the frame, as a busy radio would. */
  if (xQueueSend(espnow_received, &frame, 0) == pdTRUE) wake_main_loop();
}

static void espnow_init(void) {
  espnow_received = xQueueCreate(ESPNOW_QUEUE_FRAMES, sizeof(espnow_frame_t));
  ESP_ERROR_CHECK(esp_netif_init());
  ESP_ERROR_CHECK(esp_event_loop_create_default());
  wifi_init_config_t wifi = WIFI_INIT_CONFIG_DEFAULT();
  ESP_ERROR_CHECK(esp_wifi_init(&wifi));
  ESP_ERROR_CHECK(esp_wifi_set_storage(WIFI_STORAGE_RAM));
  ESP_ERROR_CHECK(esp_wifi_set_mode(WIFI_MODE_STA));
  ESP_ERROR_CHECK(esp_wifi_start());
  ESP_ERROR_CHECK(esp_now_init());
  ESP_ERROR_CHECK(esp_now_register_recv_cb(on_espnow_receive));
  esp_now_peer_info_t peer = {.channel = 0, .ifidx = WIFI_IF_STA, .encrypt = false};
  memcpy(peer.peer_addr, broadcast_address, ESP_NOW_ETH_ALEN);
  ESP_ERROR_CHECK(esp_now_add_peer(&peer));
}

bool hal_espnow_send(const uint8_t *frame, size_t length) {
  if (length == 0 || length > ESPNOW_MAX_FRAME) return false;
  return esp_now_send(broadcast_address, frame, length) == ESP_OK;
}

size_t hal_espnow_receive(uint8_t *frame, size_t capacity) {
  espnow_frame_t received;
  if (xQueueReceive(espnow_received, &received, 0) != pdTRUE) return 0;
  size_t length = received.length < capacity ? received.length : capacity;
  memcpy(frame, received.bytes, length);
  return length;
}

bool hal_udp_send(const uint8_t *frame, size_t length) {
  (void)frame;
  (void)length;
  return false;
}

size_t hal_udp_receive(uint8_t *frame, size_t capacity) {
  (void)frame;
  (void)capacity;
  return 0;
}

/* ---- start and reset ---- */

void hal_init(void) {
  main_task = xTaskGetCurrentTaskHandle();
  console_init();
  storage_init();
  radio_init();
  espnow_init();
}

const char *hal_board_name(void) {
  return BOARD_NAME;
}

void hal_restart(void) {
  /* The last line (a trap's reason, a RebootAck) must reach the host before the reset. */
#if BOARD_CONSOLE_USB_SERIAL_JTAG
  vTaskDelay(pdMS_TO_TICKS(50));
#else
  uart_wait_tx_done(UART_NUM_0, pdMS_TO_TICKS(100));
#endif
  esp_restart();
}
