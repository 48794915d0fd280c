// Bundles the Action entry and the CLI into dist/ (committed: GitHub runs dist/index.js as is).
// `--check` builds into a temporary folder and fails when it differs from dist/, so a stale dist/ never lands.
// `--analyze` also prints what each entry loads before its first line runs (static imports), by package:
// that is what every run pays at start, whatever it does.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const check = process.argv.includes('--check');
const analyze = process.argv.includes('--analyze');
// The check builds beside dist/ (same depth), so relative source-map paths, and thus chunk hashes, match.
const outdir = check ? '.dist-check' : 'dist';

// Some bundled dependencies are CommonJS and expect require/__dirname; an ESM bundle has neither.
const banner = [
  "import { createRequire as __dtpCreateRequire } from 'node:module';",
  "import { fileURLToPath as __dtpFileURLToPath } from 'node:url';",
  "import { dirname as __dtpDirname } from 'node:path';",
  'const require = __dtpCreateRequire(import.meta.url);',
  'const __filename = __dtpFileURLToPath(import.meta.url);',
  'const __dirname = __dtpDirname(__filename);',
].join('\n');

if (existsSync(outdir)) rmSync(outdir, { recursive: true, force: true });

const built = await build({
  metafile: analyze,
  entryPoints: { index: 'src/index.ts', cli: 'src/cli.ts' },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  sourcemap: true,
  // Stack traces map to source paths; embedding the sources would triple the size of dist/.
  sourcesContent: false,
  // Shared code in chunks, heavy optional parts (artifact upload, PR comments, the sandbox) loaded on use.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  // Whitespace and syntax only: names stay readable in stack traces; the process parses (and V8 keeps)
  // half the source text, which shows in start-up time and memory.
  minifyWhitespace: true,
  minifySyntax: true,
  banner: { js: banner },
  logLevel: 'warning',
  // Optional native accelerators of transitive dependencies; the pure-JS fallbacks are used.
  external: ['bufferutil', 'utf-8-validate'],
});

if (analyze) {
  const outputs = built.metafile.outputs;
  // The entries, and the connectors chunk every run that contacts anything loads next.
  const connectors = Object.keys(outputs).find((f) => /\/connectors-[^/]+\.js$/.test(f));
  for (const entry of [`${outdir}/index.js`, `${outdir}/cli.js`, connectors]) {
    const loaded = new Set();
    const stack = [entry];
    while (stack.length > 0) {
      const file = stack.pop();
      if (loaded.has(file) || !outputs[file]) continue;
      loaded.add(file);
      for (const i of outputs[file].imports)
        if (i.kind === 'import-statement' && !i.external) stack.push(i.path);
    }
    const byPackage = new Map();
    for (const file of loaded) {
      for (const [input, { bytesInOutput }] of Object.entries(outputs[file].inputs)) {
        const pkg =
          /node_modules\/((@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
        byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
      }
    }
    const total = [...byPackage.values()].reduce((a, b) => a + b, 0);
    console.log(`${entry}: ${loaded.size} files, ${(total / 1024).toFixed(0)} KiB loaded at start`);
    for (const [pkg, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15))
      console.log(`  ${(bytes / 1024).toFixed(0).padStart(6)} KiB  ${pkg}`);
  }
}

if (check) {
  const listing = (dir) =>
    existsSync(dir)
      ? readdirSync(dir, { recursive: true })
          .filter((f) => f.endsWith('.js') || f.endsWith('.map'))
          .sort()
      : [];
  const fresh = listing(outdir);
  const committed = listing('dist');
  const problems = [];
  for (const name of new Set([...fresh, ...committed])) {
    if (!fresh.includes(name)) problems.push(`dist/${name} is not produced by the build (delete it)`);
    else if (!committed.includes(name)) problems.push(`dist/${name} is missing`);
    else if (!readFileSync(join(outdir, name)).equals(readFileSync(join('dist', name))))
      problems.push(`dist/${name} differs from a fresh build`);
  }
  rmSync(outdir, { recursive: true, force: true });
  if (problems.length > 0) {
    console.error(problems.map((p) => `✗ ${p}`).join('\n'));
    console.error('Run `npm run build` and commit dist/.');
    process.exit(1);
  }
  console.log(`dist/ matches a fresh build (${fresh.length} files)`);
}
