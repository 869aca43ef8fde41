#!/usr/bin/env node
// Writes `.br` (quality 11) and `.gz` (level 9) siblings next to every text/wasm asset of a trunk
// build, so the server's ServeDir (precompressed_br/gzip) sends compressed bytes without
// compressing per request. index.html is left alone: the server reads it as text to hash its
// inline scripts into the CSP, so a compressed copy would never be served.
// Usage: node tools/precompress.mjs <dist dir>
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const EXTENSIONS = new Set(['.wasm', '.js', '.css', '.html', '.svg']);

function* assets(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* assets(full);
    else if (EXTENSIONS.has(path.extname(entry.name)) && full !== path.join(root, 'index.html')) yield full;
  }
}

const root = path.resolve(process.argv[2] ?? 'dist');
let count = 0;
for (const file of assets(root)) {
  const bytes = fs.readFileSync(file);
  const brotli = zlib.brotliCompressSync(bytes, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_GENERIC, // as `brotli -q 11`
    },
  });
  fs.writeFileSync(`${file}.br`, brotli);
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(bytes, { level: 9 }));
  count += 1;
}
console.error(`[precompress] ${count} files in ${root}: .br and .gz siblings written`);
