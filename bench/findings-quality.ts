import { execFileSync } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Temporal } from "temporal-polyfill";
import { generateSample, type Plant } from "../src/sample/generate.js";
import { root } from "./pipeline.js";

/**
 * How good the findings are (issue 17): false alarms on data where nothing changes, and which
 * planted changes are found.
 *
 * - **No change**: per seed, a calm shop (no worse last week, no incident; each day's row counts
 *   drawn from a Poisson distribution, as real days vary) at the sample's volume, reported week by
 *   week into one output folder (so the baseline of earlier reports builds up as it would under
 *   the daemon). Counted: warning and critical `change`, `incident` and `slower` findings per
 *   report-week (false alarms), and `target` findings apart.
 * - **Planted**: per seed and change, the same shop with one change in its last week, reported for
 *   the three weeks before it and then that week. A change is found when a matching finding is a
 *   warning or critical: the 5xx day (payment-api, 40 % of its calls on the Wednesday) as its
 *   incident; /checkout 1.5× slower as the page's `slower` finding or a change of the p75 load
 *   time; conversion −40 % (relative) as its change; 30 % fewer shoppers as the change of orders
 *   (and, listed apart, of sessions).
 *
 * Usage: npx tsx bench/findings-quality.ts [--seeds 1,2,3,4,5] [--weeks 8] [--rows 250]
 *          [--cli bin/reports.js] [--config reports.config.yaml] [--out bench/findings-quality.json]
 * `--cli` runs another build of the command (an older commit's, for "before"; give it that commit's
 * configuration too, as `--config`); `--config` alone tries other `findings` thresholds.
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : (args[at + 1] ?? fallback);
};
const seeds = option("--seeds", "1,2,3,4,5").split(",").map(Number);
const weeks = Number(option("--weeks", "8"));
const rows = Number(option("--rows", "250"));
const cli = path.resolve(option("--cli", path.join(root, "bin", "reports.js")));
const outFile = path.resolve(option("--out", path.join(root, "bench", "findings-quality.json")));
const configFile = path.resolve(option("--config", path.join(root, "reports.config.yaml")));
const work = path.join(root, "bench", ".cache", path.basename(outFile, ".json"));
const end = Temporal.PlainDate.from("2026-11-16"); // a Monday
const timezone = "Europe/Paris";

interface FindingRecord {
  id: string;
  severity: string;
  text: string;
}

const ALARM = /^(change|incident|slower):/;
const loud = (f: FindingRecord) => f.severity === "warning" || f.severity === "critical";

const PLANTS: { name: string; plant: Plant; found: RegExp }[] = [
  {
    name: "5xx on 40 % of payment-api's calls for a day",
    plant: { kind: "errors", service: "payment-api", share: 0.4, from: day(-5), to: day(-4) },
    found: new RegExp(`^incident:payment-api:${day(-5)}$`),
  },
  {
    name: "/checkout loads 1.5× slower",
    plant: { kind: "slower", url: "/checkout", factor: 1.5, from: day(-7), to: day(0) },
    found: /^(slower:url:\/checkout|change:pages\.load_p75_ms)$/,
  },
  {
    name: "conversion −40 % (relative)",
    plant: { kind: "conversion", factor: 0.6, from: day(-7), to: day(0) },
    found: /^change:funnel\.conversion$/,
  },
  {
    name: "30 % fewer shoppers: orders",
    plant: { kind: "volume", factor: 0.7, from: day(-7), to: day(0) },
    found: /^change:funnel\.order_placed$/,
  },
  {
    name: "30 % fewer shoppers: sessions",
    plant: { kind: "volume", factor: 0.7, from: day(-7), to: day(0) },
    found: /^change:sessions\.count$/,
  },
];

await mkdir(work, { recursive: true });
const noChange: { seed: number; week: string; alarms: string[]; targets: number }[] = [];
for (const seed of seeds) {
  const data = path.join(work, `calm-${seed}`);
  await generate(data, seed, 7 * (weeks + 1), []);
  const out = path.join(work, `calm-${seed}-out`);
  await rm(out, { recursive: true, force: true });
  for (let w = weeks; w >= 1; w -= 1) {
    const week = weekId(end.subtract({ days: 7 * w }));
    const findings = await report(data, out, week);
    noChange.push({
      seed,
      week,
      alarms: findings.filter((f) => loud(f) && ALARM.test(f.id)).map((f) => `${f.severity}: ${f.text}`),
      targets: findings.filter((f) => loud(f) && f.id.startsWith("target:")).length,
    });
    process.stdout.write(".");
  }
}
const planted: { seed: number; change: string; found: boolean; text: string | null; otherAlarms: number }[] =
  [];
for (const seed of seeds) {
  for (const [i, p] of PLANTS.entries()) {
    // The two volume rows share one dataset.
    const key = p.plant.kind;
    const data = path.join(work, `plant-${key}-${seed}`);
    const out = path.join(work, `plant-${key}-${seed}-out`);
    let findings: FindingRecord[];
    if (i > 0 && PLANTS[i - 1]?.plant.kind === key) {
      findings = JSON.parse(await readFile(path.join(out, weekId(day(-7)), "findings.json"), "utf8"));
    } else {
      await generate(data, seed + 1000, 7 * 6, [p.plant]);
      await rm(out, { recursive: true, force: true });
      for (const w of [4, 3, 2]) await report(data, out, weekId(end.subtract({ days: 7 * w })));
      findings = await report(data, out, weekId(day(-7)));
    }
    const hit = findings.find((f) => p.found.test(f.id) && loud(f));
    planted.push({
      seed,
      change: p.name,
      found: hit !== undefined,
      text:
        hit === undefined
          ? (findings.find((f) => p.found.test(f.id))?.text ?? null)
          : `${hit.severity}: ${hit.text}`,
      otherAlarms: findings.filter((f) => loud(f) && ALARM.test(f.id) && !p.found.test(f.id)).length,
    });
    process.stdout.write("+");
  }
}
process.stdout.write("\n");

const alarms = noChange.reduce((a, r) => a + r.alarms.length, 0);
const targets = noChange.reduce((a, r) => a + r.targets, 0);
const summary = {
  cli: path.relative(root, cli),
  config: path.relative(root, configFile),
  seeds,
  rows_per_day: rows,
  report_weeks: noChange.length,
  false_alarms: alarms,
  false_alarms_per_week: alarms / noChange.length,
  target_warnings_per_week: targets / noChange.length,
  planted: PLANTS.map((p) => ({
    change: p.name,
    found: planted.filter((r) => r.change === p.name && r.found).length,
    of: seeds.length,
  })),
  details: { noChange, planted },
};
await writeFile(outFile, `${JSON.stringify(summary, null, 2)}\n`);
console.log(
  `no change: ${alarms} warning/critical change or incident findings in ${noChange.length} report-weeks`,
);
console.log(
  `  = ${(alarms / noChange.length).toFixed(3)} a week (${((4 * alarms) / noChange.length).toFixed(2)} per 4 weeks); target findings ${targets}`,
);
for (const r of noChange) for (const a of r.alarms) console.log(`  seed ${r.seed} ${r.week}: ${a}`);
console.log("planted (found at warning or above / seeds):");
for (const p of summary.planted) console.log(`  ${p.change}: ${p.found} of ${p.of}`);
for (const r of planted)
  if (!r.found) console.log(`  missed, seed ${r.seed}, ${r.change}: ${r.text ?? "no finding"}`);
console.log(`written to ${path.relative(root, outFile)}`);

// ---------------------------------------------------------------------------------------------

/** The local date `offset` days from the end (exclusive) of the data. */
function day(offset: number): string {
  return end.add({ days: offset }).toString();
}

function weekId(date: Temporal.PlainDate | string): string {
  const d = Temporal.PlainDate.from(date);
  return `${d.yearOfWeek}-W${String(d.weekOfYear).padStart(2, "0")}`;
}

async function generate(dir: string, seed: number, days: number, plants: Plant[]) {
  await rm(dir, { recursive: true, force: true });
  await generateSample({
    outDir: dir,
    days,
    rowsPerDay: rows,
    seed,
    end,
    timezone,
    badRowRate: 0.002,
    scenario: { calm: true, varyVolume: true, plants },
  });
}

async function report(data: string, out: string, week: string): Promise<FindingRecord[]> {
  execFileSync(
    process.execPath,
    [cli, "run", "-c", configFile, "--data", data, "--out", out, "--period", week, "--audience", "support"],
    { cwd: root, stdio: ["ignore", "ignore", "pipe"] },
  );
  return JSON.parse(await readFile(path.join(out, week, "findings.json"), "utf8")) as FindingRecord[];
}
