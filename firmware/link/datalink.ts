// Data Link constants shared by every radio driver and by the buffer pool (DESIGN.md layer 2).

/** Every Data Link carries payloads of up to 1280 bytes (fragmenting over small radio frames). */
export const DATALINK_MTU: i32 = 1280;
