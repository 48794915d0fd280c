import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{formatDiagnostic}from"./chunk-EPRGYJGF.js";import{redact}from"./chunk-QD6LBWIT.js";import{mkdirSync,writeFileSync}from"node:fs";import{dirname,join}from"node:path";function plainPlatform(options){let out=options.stdout??(line=>process.stdout.write(`${line}
`)),err=options.stderr??(line=>process.stderr.write(`${line}
`));return{kind:"plain",info:message=>out(redact(message)),warn:message=>err(`warning: ${redact(message)}`),error:message=>err(`error: ${redact(message)}`),debug:message=>{options.verbose&&out(`debug: ${redact(message)}`)},annotate(diagnostics){for(let d of diagnostics)err(redact(formatDiagnostic(d)))},async writeSummary(markdown){return mkdirSync(dirname(options.summaryPath),{recursive:!0}),writeFileSync(options.summaryPath,redact(markdown)),options.summaryPath},async setOutputs(outputs){if(options.resultsDir){mkdirSync(options.resultsDir,{recursive:!0});for(let[name,value]of Object.entries(outputs))writeFileSync(join(options.resultsDir,name),redact(value))}},async publishReport(){}}}export{plainPlatform};
//# sourceMappingURL=chunk-MI2UFQTP.js.map
