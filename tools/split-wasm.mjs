#!/usr/bin/env node
// trunk post_build hook (Trunk.toml): splits the SPA's wasm at its `wasm_split` points (the
// post-payment screens, src/chunk.rs) into the main module and the chunks it fetches later.
//
// trunk 0.21 has no hook between cargo and wasm-bindgen, and the splitter must see cargo's
// output (with its relocations: `-C link-args=--emit-relocs`, .cargo/config.toml), not
// wasm-bindgen's. So trunk builds as usual (cargo with `--features split`, wasm-bindgen; its
// wasm-opt is off in index.html), and this hook redoes the wasm step from cargo's artifact:
//
//   wasm-split-cli (crates.io wasm_split_cli_support 0.2.4, pinned in scripts/install-tools)
//     -> wasm-bindgen, the same binary and flags trunk used, plus --keep-lld-exports (the
//        chunks import the main module's memory, table, stack pointer and shared functions)
//     -> wasm-opt -Oz on the main module and every chunk (release only, as trunk would)
//     -> the splitter's small loader (fetch + instantiate a chunk, memoising only successes)
//        inlined into wasm-bindgen's JS in place of its `import * from './__wasm_split.js'`,
//        so there is no extra request, no import cycle and nothing to hash twice; a failed
//        load is logged as a warning (the page retries it), not an error
//     -> the JS minified by esbuild (release only, tools/minify.mjs): still an ES module with
//        the same exports, which index.html's inline module script imports
//     -> content-hashed names (chunks first, then the JS that names them), written over
//        trunk's files in the staging dir, index.html's references and `integrity`
//        attributes rewritten. Chunks are fetched with their own sha384 integrity.
//     -> index.html's `init` call given public/early.js's off-main-thread compile when offered,
//        and (release) its comments and blank lines dropped
//
// Afterwards tools/precompress.mjs writes their .br/.gz like for every other asset, and the
// server caches `<name>-<hash>.wasm` forever like trunk's own files.
// Env (set by trunk): TRUNK_STAGING_DIR, TRUNK_PROFILE, TRUNK_HTML_FILE, TRUNK_SOURCE_DIR.
// SPLIT_WASM_OPT=0 skips wasm-opt (debugging: keeps function names in stack traces);
// MINIFY_ASSETS=0 leaves the JS unminified.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { minify, minifying } from './minify.mjs';

const NAME = 'checkout'; // index.html data-bin
const WASM_OPT_LEVEL = '-Oz'; // what index.html's data-wasm-opt="z" used to run

function fail(message) {
  console.error(`[split-wasm] ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  } catch (error) {
    fail(`${command} ${args.join(' ')} failed: ${error.message}`);
  }
}

const hex16 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const sri = (bytes) => `sha384-${crypto.createHash('sha384').update(bytes).digest('base64')}`;

const staging = process.env.TRUNK_STAGING_DIR || fail('TRUNK_STAGING_DIR unset: run me as trunk\'s post_build hook');
const sourceDir = process.env.TRUNK_SOURCE_DIR || process.cwd();
const release = process.env.TRUNK_PROFILE === 'release';
const sourceHtml = fs.readFileSync(process.env.TRUNK_HTML_FILE || path.join(sourceDir, 'index.html'), 'utf8');

// cargo's artifact: the profile trunk built (data-cargo-profile-release) under cargo's target dir
// (CARGO_TARGET_DIR or the workspace's, as `cargo metadata` resolves it).
const profile = release ? (/data-cargo-profile-release="([^"]+)"/.exec(sourceHtml)?.[1] ?? 'release') : 'debug';
const metadata = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps', '--offline'], { cwd: sourceDir, encoding: 'utf8' }));
const targetDir = metadata.target_directory;
const input = path.join(targetDir, 'wasm32-unknown-unknown', profile, `${NAME}.wasm`);
if (!fs.existsSync(input)) fail(`no cargo artifact at ${input}`);

const work = path.join(targetDir, 'wasm-split', release ? 'release' : 'debug');
fs.rmSync(work, { recursive: true, force: true });
const splitDir = path.join(work, 'split');
const bindgenDir = path.join(work, 'bindgen');
fs.mkdirSync(splitDir, { recursive: true });

// 1. Split. Writes main.wasm, one split_<name>.wasm per split point (chunk_<n>.wasm for code
//    shared by several) and __wasm_split.js, the loader the main module imports.
run('wasm-split-cli', [input, splitDir]);

// 2. wasm-bindgen on the main module (trunk: --target=web --out-name --no-typescript).
run('wasm-bindgen', [
  '--target=web', `--out-dir=${bindgenDir}`, `--out-name=${NAME}`, '--no-typescript',
  '--keep-lld-exports', '--no-demangle', path.join(splitDir, 'main.wasm'),
]);
const mainWasmPath = path.join(bindgenDir, `${NAME}_bg.wasm`);
const chunkFiles = fs.readdirSync(splitDir).filter((f) => f.endsWith('.wasm') && f !== 'main.wasm').sort();
if (chunkFiles.length === 0) fail('the splitter found no split point (is the `split` feature on?)');

// 3. wasm-opt (release), the main module and each chunk on its own.
if (release && process.env.SPLIT_WASM_OPT !== '0') {
  for (const file of [mainWasmPath, ...chunkFiles.map((f) => path.join(splitDir, f))]) {
    run('wasm-opt', [WASM_OPT_LEVEL, file, `--output=${file}`]);
  }
}

// 4. Chunks under content-hashed names, fetched with their integrity.
let loader = fs.readFileSync(path.join(splitDir, '__wasm_split.js'), 'utf8');
const written = [];
for (const file of chunkFiles) {
  const bytes = fs.readFileSync(path.join(splitDir, file));
  const hashed = `${path.basename(file, '.wasm')}-${hex16(bytes)}.wasm`;
  fs.writeFileSync(path.join(staging, hashed), bytes);
  written.push(`${hashed} ${bytes.length} B`);
  const url = `new URL("./${file}", import.meta.url)`;
  if (!loader.includes(url)) fail(`the loader does not fetch ${file} as expected`);
  loader = loader.replaceAll(url, `new Request(new URL("./${hashed}", import.meta.url), { integrity: "${sri(bytes)}" })`);
}

// 5. The loader inlined into wasm-bindgen's JS: its `initSync` is that module's own (it
//    returns the running instance's exports), its exports become one object.
const importInit = /^import \{ initSync \} from "[^"]*";\n/m;
if (!importInit.test(loader)) fail('unexpected loader: no initSync import');
loader = loader.replace(importInit, '').replace(/^\s*\/\/.*\n/gm, ''); // its comments: first-load bytes
// A chunk that failed to load is reported to the Rust side (`success = false`), which keeps the
// screen's fallback up and retries (src/chunk.rs): a payer who went offline right after paying
// is a state the page handles, so the loader says it as a warning, not a console error.
const reportFailure = /console\.error\(e\);/;
if (!reportFailure.test(loader)) fail('unexpected loader: no console.error(e) on a failed load');
loader = loader.replace(reportFailure, 'console.warn(e);');
const exported = [];
loader = loader.replace(/^export const (\w+) =/gm, (_, name) => {
  exported.push(name);
  return `const ${name} =`;
});
let js = fs.readFileSync(path.join(bindgenDir, `${NAME}.js`), 'utf8');
// One `import * as importN from "./__wasm_split.js"` per imported loader function.
let first = null;
js = js.replace(/^import \* as (\w+) from ['"]\.\/__wasm_split\.js['"];?\n/gm, (_, name) => {
  if (first) return `const ${name} = ${first};\n`;
  first = name;
  return `const ${name} = (() => {\n${loader}\nreturn { ${exported.join(', ')} };\n})();\n`;
});
if (!first) fail(`${NAME}.js does not import ./__wasm_split.js`);

// 6. Minified (release). es2020: nothing newer than what wasm-bindgen's output and the loader
//    already use; `format: 'esm'` keeps the module's imports and exports as they are.
const readable = Buffer.byteLength(js);
if (minifying()) js = await minify(js, { loader: 'js', format: 'esm', target: 'es2020' });

// 7. The main module under one content hash (trunk's `<name>-<hash>.js` / `_bg.wasm` pattern),
//    in place of trunk's files and references.
const wasm = fs.readFileSync(mainWasmPath);
const base = `${NAME}-${hex16(Buffer.concat([Buffer.from(js), wasm]))}`;
const stagedHtmlPath = path.join(staging, 'index.html');
let html = fs.readFileSync(stagedHtmlPath, 'utf8');
const trunkBase = new RegExp(`/(${NAME}-[0-9a-f]+)_bg\\.wasm`).exec(html)?.[1] ?? fail('no wasm in the staged index.html');
for (const suffix of ['.js', '_bg.wasm']) fs.rmSync(path.join(staging, trunkBase + suffix), { force: true });
fs.writeFileSync(path.join(staging, `${base}.js`), js);
fs.writeFileSync(path.join(staging, `${base}_bg.wasm`), wasm);
const snippets = path.join(bindgenDir, 'snippets');
if (fs.existsSync(snippets)) fs.cpSync(snippets, path.join(staging, 'snippets'), { recursive: true });
html = html.replaceAll(trunkBase, base);
// 8. The wasm compiled off the main thread when public/early.js offers it (`__conomyWasm`: its
//    worker compiles the bytes the page fetched), else fetched and compiled by `init` as usual.
const initCall = `init({ module_or_path: '/${base}_bg.wasm' })`;
if (!html.includes(initCall)) fail(`the staged index.html has no ${initCall}`);
html = html.replace(initCall, `init({ module_or_path: window.__conomyWasm?.('/${base}_bg.wasm') ?? '/${base}_bg.wasm' })`);
const integrity = { [`/${base}.js`]: sri(Buffer.from(js)), [`/${base}_bg.wasm`]: sri(wasm) };
html = html.replace(/<link\b[^>]*>/g, (tag) => {
  const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
  return href in integrity ? tag.replace(/\bintegrity="[^"]*"/, `integrity="${integrity[href]}"`) : tag;
});
// 9. index.html's comments are for whoever reads the source, not first-load bytes (release).
//    The server hashes the inline script of the file as served, so its CSP follows.
if (minifying()) html = html.replace(/<!--[\s\S]*?-->/g, '').replace(/\n\s*\n/g, '\n');
fs.writeFileSync(stagedHtmlPath, html);
const minified = Buffer.byteLength(js) === readable ? '' : ` (minified from ${readable} B)`;
console.error(`[split-wasm] ${base}.js ${Buffer.byteLength(js)} B${minified}, ${base}_bg.wasm ${wasm.length} B, chunks: ${written.join(', ')}`);
