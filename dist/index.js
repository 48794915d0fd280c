import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import {
  OPTIONS,
  envSource,
  githubPlatform,
  layered,
  resolveOptions,
  run
} from "./chunks/chunk-KCUFBD3S.js";
import {
  error,
  getInput,
  setFailed,
  setOutput
} from "./chunks/chunk-TFPICUWI.js";
import "./chunks/chunk-XATONND5.js";
import "./chunks/chunk-SDU4TOED.js";
import {
  ExitCode,
  UserError,
  redact
} from "./chunks/chunk-HILPLOP6.js";
import "./chunks/chunk-YRHPVDZS.js";

// src/action.ts
async function runAction() {
  const inputs = (name) => OPTIONS.some((o) => o.name === name) ? getInput(name) : void 0;
  let exitCode;
  try {
    const options = resolveOptions(layered(inputs, envSource(process.env)));
    const platform = githubPlatform({ verbose: options.verbose });
    exitCode = await run(options, platform);
  } catch (error2) {
    if (error2 instanceof UserError) {
      error(error2.hint ? `${error2.message}
hint: ${error2.hint}` : error2.message);
      exitCode = error2.exitCode;
    } else {
      error(redact(String(error2?.stack ?? error2)));
      exitCode = ExitCode.cannotStart;
    }
  }
  setOutput("exit-code", String(exitCode));
  if (exitCode !== ExitCode.ok) setFailed(`dtp finished with exit code ${exitCode}`);
  process.exitCode = exitCode;
}

// src/index.ts
await runAction();
//# sourceMappingURL=index.js.map
