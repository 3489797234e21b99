import { main } from "./cli.js";

// The executable entry: `bin/reports.js` loads the compiled copy of this file, `npm run reports` this one.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `reports: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 70;
  },
);
