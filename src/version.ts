import pkg from '../package.json' with { type: 'json' };

/** The version in package.json, shown in logs and written into report.json. */
export const VERSION: string = pkg.version;
