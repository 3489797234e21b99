import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import type { EmailMode } from "../../src/deliver/deliver.js";
import { mailSettingsFromEnv } from "../../src/deliver/mail-settings.js";
import { createEngine } from "../../src/engine/engines.js";
import { BUNDLED_TEMPLATES, loadTemplates } from "../../src/render/templates/load.js";
import type { JobContext } from "../../src/run/report-job.js";

/** A job context for a configuration (as YAML would give it), data and output directories. */
export async function jobContextFor(raw: object, dataDir: string, outDir: string): Promise<JobContext> {
  const parsed = parseConfig(raw);
  if (parsed.config === null) throw new Error(parsed.errors.join("; "));
  const config: Config = parsed.config;
  return {
    config,
    engine: createEngine(config.engine),
    dataDir,
    outDir,
    loadTemplates: () =>
      loadTemplates(
        BUNDLED_TEMPLATES,
        config.audiences,
        config.funnel.steps.map((s) => s.name),
      ),
    log: () => {},
  };
}

/** Mail to the loopback test server: STARTTLS on its self-signed certificate, fast retries. */
export function mailTo(port: number, attempts = 3, env: Record<string, string> = {}): EmailMode {
  const settings = mailSettingsFromEnv({
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(port),
    MAIL_FROM: "Shop reports <reports@shop.example>",
    SMTP_TLS_REJECT_UNAUTHORIZED: "false",
    ...env,
  });
  return { mode: "send", settings, retry: { attempts, firstDelayMs: 20 } };
}
