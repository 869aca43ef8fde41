#!/usr/bin/env node
// trunk post_build hook (Trunk.toml): minifies the staged copy of public/early.js (release only,
// tools/minify.mjs; MINIFY_ASSETS=0 does not). It is on every first load, copied as-is by
// trunk's copy-file under its own unhashed name (the server sends it with `no-cache`), and
// index.html loads it with a plain `<script src>`: no integrity and no CSP hash name its bytes,
// so it is rewritten in place and nothing else changes. If index.html ever gives it an
// `integrity`, this hook fails rather than ship a page whose script the browser refuses.
//
// trunk 0.21 starts every hook of a stage at once (its src/hooks.rs), so this one runs alongside
// tools/split-wasm.mjs: it touches no file but early.js, and reads the source index.html, never
// the staged one split-wasm is rewriting.
import fs from 'node:fs';
import path from 'node:path';
import { minify, minifying } from './minify.mjs';

const NAME = 'early.js';

function fail(message) {
  console.error(`[minify-early] ${message}`);
  process.exit(1);
}

if (!minifying()) process.exit(0);
const staging = process.env.TRUNK_STAGING_DIR || fail('TRUNK_STAGING_DIR unset: run me as trunk\'s post_build hook');
const sourceDir = process.env.TRUNK_SOURCE_DIR || process.cwd();
const html = fs.readFileSync(process.env.TRUNK_HTML_FILE || path.join(sourceDir, 'index.html'), 'utf8');
const tags = [...html.matchAll(/<script\b[^>]*\bsrc="\/early\.js"[^>]*>/g)].map((m) => m[0]);
if (tags.length === 0) fail(`index.html does not load /${NAME}`);
if (tags.some((tag) => /\b(integrity|type)=/.test(tag))) fail(`index.html loads /${NAME} with an integrity or a type: minifying it here would not update them`);

const file = path.join(staging, NAME);
const readable = fs.readFileSync(file, 'utf8');
// A classic script, not a module. es5: the file checks for fetch and AbortController itself
// and is written in ES5, so the minified copy uses no newer syntax than the original either.
const code = await minify(readable, { loader: 'js', target: 'es5' });
fs.writeFileSync(file, code);
console.error(`[minify-early] ${NAME} ${Buffer.byteLength(code)} B (minified from ${Buffer.byteLength(readable)} B)`);
