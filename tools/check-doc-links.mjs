// Checks the links of README.md and docs/*.md (or of the Markdown files given as arguments):
// every relative link must name a file or folder that exists, and every `#anchor` into a
// Markdown file (the same one or another) must name one of its headings, slugged as GitHub does.
// Links inside code (fenced blocks, `inline code`) and absolute URLs (https:, mailto:, //host)
// are not checked. Prints each broken link as file:line and exits 1 if there is any.
// Plain Node, no dependencies: run by ./test's native layer.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Markdown files checked by default: README.md and every docs/*.md. */
function defaultFiles() {
  const docs = path.join(ROOT, 'docs');
  const inDocs = fs.existsSync(docs)
    ? fs.readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => path.join(docs, f))
    : [];
  return [path.join(ROOT, 'README.md'), ...inDocs];
}

/** `text` with its code spans blanked out (same length, so columns stay right). */
function withoutCodeSpans(text) {
  return text.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (m) => ' '.repeat(m.length));
}

/** The lines of a Markdown file, each marked as inside a fenced code block or not. */
function linesOf(markdown) {
  const out = [];
  let fence = null;
  for (const [i, line] of markdown.split('\n').entries()) {
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      out.push({ number: i + 1, text: line, code: true });
      if (opening && opening[1][0] === fence[0] && opening[1].length >= fence.length && line.trim() === opening[1].trim()) {
        fence = null;
      }
    } else if (opening) {
      fence = opening[1];
      out.push({ number: i + 1, text: line, code: true });
    } else {
      out.push({ number: i + 1, text: line, code: false });
    }
  }
  return out;
}

/** A heading's text as GitHub renders it: links to their text, code spans and emphasis bare. */
function headingText(raw) {
  return raw
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim();
}

/** GitHub's heading slug (github-slugger): lower case, punctuation and symbols dropped, spaces to hyphens. */
function slug(text) {
  return text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: its headings' slugs (repeats get -1, -2, …) and HTML ids. */
function anchorsOf(markdown) {
  const anchors = new Set();
  const seen = new Map();
  const add = (text) => {
    const base = slug(headingText(text));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  };
  const lines = linesOf(markdown);
  for (const [i, line] of lines.entries()) {
    if (line.code) continue;
    const atx = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line.text);
    if (atx) {
      add(atx[1]);
      continue;
    }
    const previous = lines[i - 1];
    if (/^ {0,3}(=+|-+)[ \t]*$/.test(line.text) && previous && !previous.code && previous.text.trim() !== ''
      && !/^\s*([-*+>|]|\d+[.)]|#)/.test(previous.text)) {
      add(previous.text.trim());
    }
    for (const m of line.text.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
  }
  return anchors;
}

/** The links of a Markdown file outside code: inline `[text](target)` and `[label]: target`. */
function linksOf(markdown) {
  const links = [];
  for (const line of linesOf(markdown)) {
    if (line.code) continue;
    const text = withoutCodeSpans(line.text);
    for (const m of text.matchAll(/\]\(\s*(<[^>]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: line.number, target: m[1].replace(/^<|>$/g, '') });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*(\S+)/.exec(text);
    if (definition) links.push({ line: line.number, target: definition[1].replace(/^<|>$/g, '') });
  }
  return links;
}

const anchorCache = new Map();
function anchorsOfFile(file) {
  if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(fs.readFileSync(file, 'utf8')));
  return anchorCache.get(file);
}

/** Why `target` (a link in `file`) does not resolve, or null when it does. */
function problem(file, target) {
  if (target === '') return 'empty link';
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return null;
  const hash = target.indexOf('#');
  const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, '');
  const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
  const resolved = pathPart === ''
    ? file
    : pathPart.startsWith('/')
      ? path.join(ROOT, pathPart)
      : path.resolve(path.dirname(file), pathPart);
  if (!fs.existsSync(resolved)) return `no such file: ${path.relative(ROOT, resolved)}`;
  if (anchor === null || !resolved.endsWith('.md') || fs.statSync(resolved).isDirectory()) return null;
  if (anchor === '') return 'empty anchor';
  if (!anchorsOfFile(resolved).has(anchor)) return `no heading #${anchor} in ${path.relative(ROOT, resolved)}`;
  return null;
}

const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => path.resolve(f)) : defaultFiles();
let broken = 0;
let checked = 0;
for (const file of files) {
  for (const link of linksOf(fs.readFileSync(file, 'utf8'))) {
    checked++;
    const why = problem(file, link.target);
    if (why) {
      broken++;
      console.error(`${path.relative(ROOT, file)}:${link.line}: broken link (${link.target}): ${why}`);
    }
  }
}
console.log(`doc links: ${checked} checked in ${files.length} files, ${broken} broken`);
process.exit(broken ? 1 : 0);
