import type { Config } from "../config/schema.js";
import type { EmailMode } from "../deliver/deliver.js";
import { mailSettingsFromEnv } from "../deliver/mail-settings.js";
import { ReportsError } from "../errors.js";

/**
 * `--email` sends (SMTP from the environment), `--dry-run` writes .eml files (from MAIL_FROM when
 * it is set), neither mails nobody.
 */
export function emailMode(config: Config, options: { email?: boolean; dryRun?: boolean }): EmailMode {
  if (options.email && options.dryRun)
    throw new ReportsError("usage", "give either --email or --dry-run, not both");
  if (options.dryRun) return { mode: "dry-run", from: process.env.MAIL_FROM ?? "reports@localhost" };
  if (!options.email) return { mode: "off" };
  return {
    mode: "send",
    settings: mailSettingsFromEnv(),
    retry: { attempts: config.email.attempts, firstDelayMs: config.email.first_retry_delay_s * 1000 },
  };
}
