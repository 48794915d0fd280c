#!/usr/bin/env node
import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{plainPlatform}from"./chunks/chunk-MI2UFQTP.js";import{OPTIONS,envSource,layered,resolveOptions,run}from"./chunks/chunk-EPRGYJGF.js";import"./chunks/chunk-443W6HFO.js";import{isGitHubActions}from"./chunks/chunk-MOZXJ6CJ.js";import"./chunks/chunk-WIXHIH5E.js";import{ExitCode,UserError}from"./chunks/chunk-KHFRJZMU.js";import{redact}from"./chunks/chunk-QD6LBWIT.js";import"./chunks/chunk-FJUMHGMT.js";import{parseArgs}from"node:util";import{join}from"node:path";var USAGE=`dtp \u2014 Dynatrace Token Provider

Usage:
  dtp validate [--config tenants]   check the configuration offline (exit 0 valid, 2 invalid)
  dtp plan [settings]               read everything, change nothing, print what reconcile would do
  dtp reconcile [settings]          mint missing tokens, fix drift, deliver Secrets
  dtp run [settings]                the mode comes from --mode / DTP_MODE (what the Tekton task calls)
  dtp sandbox [--help]              start the OCM, Dynatrace and Vault simulators with a demo fleet
  dtp demo                          sandbox + a cold reconcile + a steady-state reconcile (npm start)
  dtp report merge <report.json>... [--out <dir>]   merge the reports of shards into one

Settings: --<name> <value>, or the environment variable DTP_<NAME>; secrets also as --<name>-file <path>.
${OPTIONS.map(o=>`  --${o.name.padEnd(22)} ${o.description}${o.default?` [${o.default}]`:""}`).join(`
`)}

Exit codes: 0 all good \xB7 1 some clusters failed \xB7 2 invalid configuration \xB7 3 could not start.`;function flagSource(args){let spec={};for(let o of OPTIONS)spec[o.name]={type:"string"},o.secret&&(spec[`${o.name}-file`]={type:"string"});try{let{values,positionals}=parseArgs({args,options:spec,allowPositionals:!0,strict:!0});return{source:name=>values[name],positionals}}catch(error){throw new UserError(redact(error.message),"Run `dtp --help` for the list of settings; each is --<name> <value>.",ExitCode.invalidConfig)}}async function main(argv){let[command="help",...rest]=argv;switch(command){case"help":case"--help":case"-h":return console.log(USAGE),ExitCode.ok;case"sandbox":{let{sandboxMain}=await import("./chunks/cli-EEM4XP4S.js");return sandboxMain(rest)}case"demo":{let{demoMain}=await import("./chunks/cli-EEM4XP4S.js");return demoMain(rest)}case"report":{if(rest[0]!=="merge")throw new UserError("unknown report command","Usage: dtp report merge <report.json>... [--out <dir>]");let{mergeMain}=await import("./chunks/merge-HMQR7QIQ.js"),{dir,report}=await mergeMain(rest.slice(1));if(isGitHubActions()){let{renderSummary}=await import("./chunks/summary-M7PJ3QU4.js"),{githubPlatform}=await import("./chunks/github-YLFP2FXL.js");await githubPlatform().writeSummary(renderSummary(report))}return console.log(`merged ${report.shard}: ${report.totals.clusters} clusters, ${report.totals.failed} failed; written to ${dir}`),ExitCode.ok}case"validate":case"plan":case"reconcile":case"run":{if(rest.includes("--help")||rest.includes("-h"))return console.log(USAGE),ExitCode.ok;let{source,positionals}=flagSource(rest);if(positionals.length>0)throw new UserError(`unexpected argument "${positionals[0]}"`,"Settings are flags: --config <folder>.");let options=resolveOptions(layered(name=>name==="mode"&&command!=="run"?command:void 0,source,envSource(process.env))),platform=isGitHubActions()?(await import("./chunks/github-YLFP2FXL.js")).githubPlatform({verbose:options.verbose,shard:options.shard}):plainPlatform({summaryPath:join(options.reportDir,"summary.md"),resultsDir:process.env.DTP_RESULTS_DIR,verbose:options.verbose});return run(options,platform)}default:throw new UserError(`unknown command "${command}"`,"Run `dtp --help` for the commands.")}}main(process.argv.slice(2)).then(code=>{process.exitCode=code},error=>{error instanceof UserError?(console.error(`error: ${error.message}${error.hint?`
hint: ${error.hint}`:""}`),process.exitCode=error.exitCode):(console.error(redact(String(error?.stack??error))),process.exitCode=ExitCode.cannotStart)});export{flagSource};
//# sourceMappingURL=cli.js.map
