// esbuild's minifier for the trunk hooks that write first-load assets: tools/bundle-css.mjs
// (the stylesheet), tools/split-wasm.mjs (wasm-bindgen's JS glue), tools/minify-early.mjs
// (public/early.js). Release builds only: debug builds stay readable.
// MINIFY_ASSETS=0 turns it off for a release build too (debugging the shipped JS or CSS).

/** Whether this trunk build minifies (hooks get TRUNK_PROFILE from trunk). */
export const minifying = () => process.env.TRUNK_PROFILE === 'release' && process.env.MINIFY_ASSETS !== '0';

/**
 * `code` minified by esbuild (tools/package.json): whitespace, comments, syntax and local
 * identifiers; exports, property names and strings are kept. `options` go to esbuild's transform
 * API (`loader`, `format`, `target`). esbuild is imported on first use, so a debug build runs
 * without it.
 */
export async function minify(code, options) {
  const esbuild = await import('esbuild');
  const result = await esbuild.transform(code, { minify: true, legalComments: 'none', charset: 'utf8', ...options });
  for (const warning of result.warnings) console.error(`[esbuild] ${warning.text}`);
  return result.code;
}
