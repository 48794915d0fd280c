import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{withLogFormat}from"./chunk-WNPNS5EJ.js";import{formatDiagnostic}from"./chunk-AGPLYE4X.js";import{escapeDiagnostic}from"./chunk-NF3R2KUO.js";import{escapeControl}from"./chunk-ZC6EQVI3.js";import{redact}from"./chunk-QD6LBWIT.js";import{mkdirSync,writeFileSync}from"node:fs";import{dirname,join}from"node:path";function logLines(message){return redact(message).split(/\r?\n/).map((line,i)=>(i===0?"":"  ")+escapeControl(line)).join(`
`)}function plainPlatform(options){let out=options.stdout??(line=>process.stdout.write(`${line}
`)),err=options.stderr??(line=>process.stderr.write(`${line}
`));return withLogFormat({kind:"plain",info:message=>out(logLines(message)),warn:message=>err(`warning: ${logLines(message)}`),error:message=>err(`error: ${logLines(message)}`),debug:message=>{options.verbose&&out(`debug: ${logLines(message)}`)},annotate(diagnostics){for(let d of diagnostics)err(redact(formatDiagnostic(escapeDiagnostic(d))))},async writeSummary(markdown){return mkdirSync(dirname(options.summaryPath),{recursive:!0}),writeFileSync(options.summaryPath,redact(markdown)),options.summaryPath},async setOutputs(outputs){if(options.resultsDir){mkdirSync(options.resultsDir,{recursive:!0});for(let[name,value]of Object.entries(outputs))writeFileSync(join(options.resultsDir,name),redact(value))}},async publishReport(){}},options,{info:out,warn:err,error:err})}export{plainPlatform};
//# sourceMappingURL=chunk-FFTP4WXI.js.map
