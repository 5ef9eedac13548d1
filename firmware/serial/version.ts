// The firmware version the banner and Identity report. Kept equal to package.json's version
// (test/serial/console.test.ts checks it): the WASM cannot read package.json when it is compiled.
export const FIRMWARE_VERSION = "0.1.0";
