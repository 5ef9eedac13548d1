/*
 * The WiFi half of the HAL (hal.h) for boards that have no WiFi — the QEMU virt board and the x86-64
 * harness: ESP-NOW and UDP sends are refused and nothing is ever received, so the stack's WiFi links
 * report every send as failed (counted) instead of pretending to deliver.
 */
#include "hal.h"

bool hal_espnow_send(const uint8_t *frame, size_t length) {
  (void)frame;
  (void)length;
  return false;
}

bool hal_udp_send(const uint8_t *frame, size_t length) {
  (void)frame;
  (void)length;
  return false;
}

size_t hal_espnow_receive(uint8_t *frame, size_t capacity) {
  (void)frame;
  (void)capacity;
  return 0;
}

size_t hal_udp_receive(uint8_t *frame, size_t capacity) {
  (void)frame;
  (void)capacity;
  return 0;
}
