/**
 * The fault script (`npm run faults -- [N] [budget_s]`, or `bash scripts/faults.sh`): kills
 * `reports run --report managers --email` with SIGKILL at random moments, N times (default 20),
 * against a loopback SMTP server that counts what each recipient received, and after each kill
 * and each recovery run checks what an operator relies on:
 *
 * - the period folder holds a whole set (managers.pdf, metrics.json, findings.json, rejects.csv,
 *   each complete) or none of it: never a partial set;
 * - after the next, unkilled run, no temporary file (`*.tmp-*`) is left;
 * - history.jsonl parses line by line (every line JSON);
 * - no recipient received the same report for the same period twice.
 *
 * Prints the figures and exits 1 on any violation. Bounded in time (default 600 s). Not part of
 * the test suite: it takes minutes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

const ROOT = path.resolve(import.meta.dirname, "..");
const TSX_LOADER = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const SET = ["managers.pdf", "metrics.json", "findings.json", "rejects.csv"];
const PERIOD = "2026-W46";

const kills = Math.max(1, Number(process.argv[2] ?? process.env.FAULTS_N ?? 20) || 20);
const budgetMs = Math.max(30, Number(process.argv[3] ?? process.env.FAULTS_BUDGET_S ?? 600) || 600) * 1000;
/** How long the server takes to answer the final dot (a remote server takes some time). */
const replyDelayMs = Number(process.env.FAULTS_SMTP_DELAY_MS ?? 300) || 0;
const seed = Number(process.env.FAULTS_SEED ?? Date.now()) >>> 0;

/** A small seeded generator (mulberry32), so a run's kill times can be replayed with FAULTS_SEED. */
let state = seed;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const violations: string[] = [];
const figures = {
  kills_tried: 0,
  killed_before_exit: 0,
  killed_during_smtp: 0,
  recovery_runs: 0,
  sets_checked: 0,
  partial_sets: 0,
  temp_files_left: 0,
  history_bad_lines: 0,
  messages: 0,
  duplicates: 0,
  /** Round recipients with no message after the next run: left `unknown` (at most once), not a violation. */
  never_mailed: 0,
};

function violation(text: string): void {
  violations.push(text);
  process.stdout.write(`  VIOLATION: ${text}\n`);
}

// --- the loopback SMTP server: messages per recipient and subject (report and period) ---------

const received = new Map<string, number>();
/** SMTP sessions open now: a kill while one is open hit the delivery. */
let sessions = 0;
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ["AUTH"],
  logger: false,
  onConnect(_session, callback) {
    sessions += 1;
    callback();
  },
  onClose() {
    sessions -= 1;
  },
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        figures.messages += 1;
        for (const rcpt of session.envelope.rcptTo) {
          const key = `${rcpt.address.toLowerCase()}\t${mail.subject ?? ""}`;
          received.set(key, (received.get(key) ?? 0) + 1);
        }
        // The message counts as received (the server has it) whether or not the client lives to
        // see the reply.
        setTimeout(() => callback(), replyDelayMs);
      })
      .catch(callback);
  },
});

// --- the command under test ---------------------------------------------------------------------

function reports(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    ["--import", TSX_LOADER, path.join(ROOT, "src/reports.ts"), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: "", FORCE_COLOR: "0", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const done = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      if (code !== null && code !== 0 && code !== 3)
        process.stdout.write(`  (exit ${code}: ${stderr.trim().slice(0, 300)})\n`);
      resolve(code);
    }),
  );
  return { child, done };
}

async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Whole set or none, each file complete. */
async function checkSet(out: string, when: string): Promise<void> {
  figures.sets_checked += 1;
  const dir = path.join(out, PERIOD);
  const present = SET.filter((name) => existsSync(path.join(dir, name)));
  if (present.length !== 0 && present.length !== SET.length) {
    figures.partial_sets += 1;
    violation(
      `${when}: partial set in ${PERIOD}/: ${present.join(", ")} (missing ${SET.filter((n) => !present.includes(n)).join(", ")})`,
    );
    return;
  }
  for (const name of present) {
    const bytes = await readFile(path.join(dir, name));
    const broken = name.endsWith(".json")
      ? (() => {
          try {
            JSON.parse(bytes.toString("utf8"));
            return false;
          } catch {
            return true;
          }
        })()
      : name.endsWith(".pdf")
        ? !bytes.subarray(-1024).toString("latin1").includes("%%EOF")
        : bytes.length === 0;
    if (broken) {
      figures.partial_sets += 1;
      violation(`${when}: ${PERIOD}/${name} is incomplete`);
    }
  }
}

async function checkHistory(out: string, when: string): Promise<void> {
  const file = path.join(out, "history.jsonl");
  if (!existsSync(file)) return;
  const lines = (await readFile(file, "utf8")).split("\n").filter((l) => l.trim() !== "");
  let bad = 0;
  for (const line of lines) {
    try {
      JSON.parse(line);
    } catch {
      bad += 1;
    }
  }
  if (bad > 0) {
    figures.history_bad_lines += bad;
    violation(`${when}: history.jsonl has ${bad} line(s) that are not JSON`);
  }
}

async function checkTemporaries(out: string, when: string): Promise<void> {
  const left = (await filesUnder(out)).filter((f) => /\.tmp-/.test(path.basename(f)));
  if (left.length > 0) {
    figures.temp_files_left += left.length;
    violation(`${when}: temporary files left: ${left.map((f) => path.relative(out, f)).join(", ")}`);
  }
}

function checkDuplicates(): void {
  let duplicates = 0;
  for (const [key, count] of received) {
    if (count > 1) {
      duplicates += count - 1;
      const [recipient, subject] = key.split("\t");
      violation(`${recipient} received "${subject}" ${count} times`);
      received.set(key, 1); // report each extra copy once
    }
  }
  figures.duplicates += duplicates;
}

// --- the run ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  const work = await mkdtemp(path.join(tmpdir(), "reports-faults-"));
  const data = path.join(work, "data");
  const out = path.join(work, "out");
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const address = smtp.server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const env = {
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(port),
    SMTP_REQUIRE_TLS: "false",
    SMTP_TLS_REJECT_UNAUTHORIZED: "false",
    MAIL_FROM: "reports@shop.example",
  };
  process.stdout.write(
    `faults: ${kills} kills, budget ${budgetMs / 1000} s, SMTP reply after ${replyDelayMs} ms (FAULTS_SMTP_DELAY_MS), seed ${seed} (FAULTS_SEED), in ${work}\n`,
  );
  try {
    const gen = reports(
      [
        "gen-data",
        "--out",
        data,
        "--days",
        "14",
        "--rows-per-day",
        "150",
        "--seed",
        "3",
        "--end",
        "2026-11-16",
        "--timezone",
        "Europe/Paris",
      ],
      env,
    );
    if ((await gen.done) !== 0) throw new Error("gen-data failed");
    const config = path.join(work, "reports.config.yaml");
    // A recipient for every round (so each round has mail to send when it is killed) and one
    // for all rounds (so a re-run must skip who already has it).
    const writeConfig = (round: number) =>
      writeFile(
        config,
        `timezone: Europe/Paris
data:
  dir: ${data}
output:
  dir: ${out}
email:
  attempts: 2
  first_retry_delay_s: 1
reports:
  managers:
    audience: managers
    schedule: "0 8 * * 1"
    period: last-week
    to: [ops@shop.example, round-${round}@shop.example]
`,
      );
    const runArgs = ["run", "--report", "managers", "--email", "--period", PERIOD, "--config", config];

    // An unkilled run first: how long a run takes, so kills fall inside one.
    await writeConfig(0);
    const t0 = Date.now();
    const first = reports(runArgs, env);
    await first.done;
    let runMs = Date.now() - t0;
    process.stdout.write(
      `a whole run takes ${(runMs / 1000).toFixed(1)} s; each kill falls within the last whole run's time\n`,
    );
    await checkSet(out, "after the first run");
    checkDuplicates();

    for (let round = 1; round <= kills; round++) {
      if (Date.now() - started > budgetMs - runMs * 3) {
        process.stdout.write(`time budget reached after ${round - 1} kills\n`);
        break;
      }
      await writeConfig(round);
      const delay = Math.floor(random() * runMs);
      const run = reports(runArgs, env);
      let exited = false;
      void run.done.then(() => {
        exited = true;
      });
      await new Promise((r) => setTimeout(r, delay));
      figures.kills_tried += 1;
      const alive = !exited;
      const duringSmtp = alive && sessions > 0;
      if (alive) {
        run.child.kill("SIGKILL");
        figures.killed_before_exit += 1;
        if (duringSmtp) figures.killed_during_smtp += 1;
      }
      await run.done;
      const when = `round ${round} (killed at ${delay} ms${alive ? "" : ", after it exited"}${duringSmtp ? ", while mailing" : ""})`;
      process.stdout.write(`${when}\n`);
      await checkSet(out, `${when}, after the kill`);
      await checkHistory(out, `${when}, after the kill`);

      // The next run, not killed: it finishes what the killed one owed.
      const t1 = Date.now();
      const recovery = reports(runArgs, env);
      const timer = setTimeout(() => recovery.child.kill("SIGKILL"), 120_000);
      await recovery.done;
      clearTimeout(timer);
      // Kills fall within a whole run as long as the last one took (warm caches are faster).
      runMs = Date.now() - t1;
      figures.recovery_runs += 1;
      await checkSet(out, `${when}, after the next run`);
      await checkHistory(out, `${when}, after the next run`);
      await checkTemporaries(out, `${when}, after the next run`);
      checkDuplicates();
      const mine = `round-${round}@shop.example\t`;
      if (![...received.keys()].some((key) => key.startsWith(mine))) {
        figures.never_mailed += 1;
        process.stdout.write(`  round-${round}@shop.example got no mail (its delivery is left unknown)\n`);
      }
    }
  } finally {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    if (violations.length === 0 && process.env.FAULTS_KEEP !== "1")
      await rm(work, { recursive: true, force: true });
  }
  process.stdout.write(
    `\nkills tried ${figures.kills_tried} (${figures.killed_before_exit} before the run exited, ${figures.killed_during_smtp} of them while it was mailing), recovery runs ${figures.recovery_runs}, ` +
      `sets checked ${figures.sets_checked}, partial sets ${figures.partial_sets}, temporary files left ${figures.temp_files_left}, ` +
      `history lines not JSON ${figures.history_bad_lines}, messages ${figures.messages}, duplicates found ${figures.duplicates}, ` +
      `recipients left unmailed (unknown, for resend --force) ${figures.never_mailed}\n`,
  );
  process.stdout.write(
    violations.length === 0
      ? "no violation\n"
      : `${violations.length} violation(s); files kept in the work directory\n`,
  );
  process.exitCode = violations.length === 0 ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`faults: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
