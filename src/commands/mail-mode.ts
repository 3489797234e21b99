import type { Config } from "../config/schema.js";
import { mailSettingsFromEnv } from "../deliver/mail-settings.js";
import { ReportsError } from "../errors.js";
import type { EmailMode } from "../run/report-job.js";

/** `--email` sends (SMTP from the environment), `--dry-run` writes .eml files, neither mails nobody. */
export function emailMode(config: Config, options: { email?: boolean; dryRun?: boolean }): EmailMode {
  if (options.email && options.dryRun)
    throw new ReportsError("usage", "give either --email or --dry-run, not both");
  if (options.dryRun) return { mode: "dry-run" };
  if (!options.email) return { mode: "off" };
  return {
    mode: "send",
    settings: mailSettingsFromEnv(),
    retry: { attempts: config.email.attempts, firstDelayMs: config.email.first_retry_delay_s * 1000 },
  };
}
