/**
 * What a run needs once its Vault login is under way: the configuration loader (js-yaml, the schema
 * validators), the engine and the report writers — most of the code a run compiles. run.ts imports this
 * module dynamically, so the first request never waits for it to load.
 */
export { loadConfig } from './config/load.js';
export { runEngine } from './reconcile/engine.js';
export { candidateTenants } from './reconcile/observe.js';
export { buildReport, startupFailureReport } from './report/report.js';
export { renderSummary } from './report/summary.js';
export { loadBaseConfig } from './report/base-config.js';
export { renderChangeSummary } from './report/change-summary.js';
export { findings } from './report/findings.js';
export { changeOf } from './report/plan-diff.js';
export { writeJsonFile } from './report/report-file.js';
export { renderValidationSummary } from './report/validation-summary.js';
