// SX1262: the SX126x with the high-power PA (−9 … +22 dBm), SX1261/2 datasheet §13.1.14 and §13.4.4.
// Everything else is the family driver.
import { Register, TX_CLAMP_BITS } from "./commands";
import { PowerAmplifierSetting, SX126x } from "./sx126x";

/** SetTxParams range with the high-power PA selected (§13.4.4). */
export const SX1262_MIN_POWER_DBM: i32 = -9;
export const SX1262_MAX_POWER_DBM: i32 = 22;

/** deviceSel of SetPaConfig for the SX1262's PA (§13.1.14). */
const DEVICE_SELECT_SX1262: i32 = 0x00;

export class SX1262 extends SX126x {
  /**
   * Table 13-21 ("PA Operating Modes with Optimal Settings") gives, for +14, +17, +20 and +22 dBm, a
   * paDutyCycle/hpMax pair to use with SetTxParams at +22 dBm: the PA is sized down so the nominal
   * +22 setting yields the row's power at the best efficiency. Other powers use the full-size PA
   * (the +22 dBm row) and let SetTxParams set the power directly, which the datasheet specifies in
   * 1 dB steps over the whole −9 … +22 dBm range.
   */
  protected choosePowerAmplifier(powerDbm: i32, setting: PowerAmplifierSetting): void {
    const power = min(max(powerDbm, SX1262_MIN_POWER_DBM), SX1262_MAX_POWER_DBM);
    setting.deviceSelect = DEVICE_SELECT_SX1262;
    setting.txPowerDbm = SX1262_MAX_POWER_DBM;
    if (power == 14) {
      setting.dutyCycle = 0x02;
      setting.hpMax = 0x02;
    } else if (power == 17) {
      setting.dutyCycle = 0x02;
      setting.hpMax = 0x03;
    } else if (power == 20) {
      setting.dutyCycle = 0x03;
      setting.hpMax = 0x05;
    } else {
      setting.dutyCycle = 0x04;
      setting.hpMax = 0x07;
      setting.txPowerDbm = power;
    }
  }

  /**
   * §15.2 "Better Resistance of the SX1262 Tx to Antenna Mismatch": the PA clamping threshold is too
   * low by default; after each reset set bits 4:1 of TxClampConfig.
   */
  protected applyChipWorkarounds(): void {
    const value = this.readRegister(Register.TxClampConfig);
    this.writeRegister(Register.TxClampConfig, value | TX_CLAMP_BITS);
  }
}
