// Sizes of the release build: raw, gzip -9 and brotli (quality 11) per file, and the first-load total.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

// Kinds that make up the first load of a checkout link (the budget's "html + js + wasm + css").
const FIRST_LOAD_KINDS = new Set(['html', 'js', 'wasm', 'css']);

function kindOf(name) {
  const ext = path.extname(name).slice(1).toLowerCase();
  return ext === 'mjs' ? 'js' : ext;
}

function walk(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    // trunk's staging directory is not served.
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else out.push(full);
  }
  return out;
}

export function measure(bytes) {
  return {
    raw: bytes.length,
    gzip: zlib.gzipSync(bytes, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(bytes, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        // Wasm and JS are not UTF-8 text in general; generic mode is what `brotli -q 11` uses.
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_GENERIC,
      },
    }).length,
  };
}

/**
 * Every file in `dist` (precompressed .br/.gz siblings skipped: we compress ourselves), plus
 * `public/embed.js` when the build did not copy it. `embed` is the embed script's entry or null.
 */
export function distSizes(repo) {
  const dist = path.join(repo, 'dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) throw new Error(`no build at ${dist}`);
  const files = walk(dist)
    .filter((f) => !/\.(br|gz|zst)$/.test(f))
    .map((f) => ({ file: path.relative(dist, f), kind: kindOf(f), ...measure(fs.readFileSync(f)) }));
  let embed = files.find((f) => path.basename(f.file) === 'embed.js' || /^embed-[0-9a-f]+\.js$/.test(path.basename(f.file)));
  const publicEmbed = path.join(repo, 'public', 'embed.js');
  if (!embed && fs.existsSync(publicEmbed)) {
    embed = { file: 'public/embed.js (not in dist)', kind: 'js', ...measure(fs.readFileSync(publicEmbed)) };
    files.push(embed);
  }
  // The first load is index.html plus the scripts, wasm and styles it references (links,
  // preloads and the quoted paths of trunk's inline loader); icons are left out, as in the budget.
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const referenced = new Set([...html.matchAll(/["'](\/[^"'?#]+)["']/g)].map((m) => m[1].slice(1)));
  for (const f of files) {
    f.firstLoad = f.file === 'index.html' || (FIRST_LOAD_KINDS.has(f.kind) && referenced.has(f.file) && f !== embed);
  }
  files.sort((a, b) => b.brotli - a.brotli);
  const firstLoad = { raw: 0, gzip: 0, brotli: 0 };
  for (const f of files.filter((f) => f.firstLoad)) {
    for (const k of Object.keys(firstLoad)) firstLoad[k] += f[k];
  }
  const wasm = files.find((f) => f.kind === 'wasm' && f.firstLoad);
  return { files, firstLoad, embed: embed ?? null, wasmPath: wasm ? `/${wasm.file}` : null };
}
