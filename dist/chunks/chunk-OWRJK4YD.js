import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import {
  formatDiagnostic
} from "./chunk-KCUFBD3S.js";
import {
  redact
} from "./chunk-HILPLOP6.js";

// src/platform/plain.ts
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
function plainPlatform(options) {
  const out = options.stdout ?? ((line) => process.stdout.write(`${line}
`));
  const err = options.stderr ?? ((line) => process.stderr.write(`${line}
`));
  return {
    kind: "plain",
    info: (message) => out(redact(message)),
    warn: (message) => err(`warning: ${redact(message)}`),
    error: (message) => err(`error: ${redact(message)}`),
    debug: (message) => {
      if (options.verbose) out(`debug: ${redact(message)}`);
    },
    annotate(diagnostics) {
      for (const d of diagnostics) err(redact(formatDiagnostic(d)));
    },
    async writeSummary(markdown) {
      mkdirSync(dirname(options.summaryPath), { recursive: true });
      writeFileSync(options.summaryPath, redact(markdown));
      return options.summaryPath;
    },
    async setOutputs(outputs) {
      if (!options.resultsDir) return;
      mkdirSync(options.resultsDir, { recursive: true });
      for (const [name, value] of Object.entries(outputs)) {
        writeFileSync(join(options.resultsDir, name), redact(value));
      }
    },
    async publishReport() {
    }
  };
}

export {
  plainPlatform
};
//# sourceMappingURL=chunk-OWRJK4YD.js.map
