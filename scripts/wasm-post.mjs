// After a release build (scripts/trunk.sh): drop the wasm exports nothing
// calls, optimise once more, and renew the file's integrity in index.html.
//
// Leptos always builds server_fn with its browser feature, which brings
// wasm-streams; its `#[wasm_bindgen]` classes (IntoUnderlyingSource, ...,
// for turning Rust streams into JS ones) are exports, so neither the linker
// nor wasm-opt may remove them or the code they reach, although this app
// never makes a stream. Their exports are taken out of the export section
// here, and a second `wasm-opt -Os` removes what only they reached (and
// finds a little more on a second pass). The JS glue's classes for them
// go too.
//
// Usage: node scripts/wasm-post.mjs dist/x_bg.wasm dist/index.html
import fs from 'node:fs';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [wasmPath, htmlPath] = process.argv.slice(2);
const DEAD = /^(__wbg_)?intounderlying(bytesource|sink|source)_/;

function leb(b, i) {
  let r = 0, s = 0, x;
  do { x = b[i++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
  return [r, i];
}
function enc(n) {
  const out = [];
  do { let b = n & 0x7f; n = Math.floor(n / 128); out.push(n ? b | 0x80 : b); } while (n);
  return Buffer.from(out);
}

const before = fs.readFileSync(wasmPath);
const parts = [before.subarray(0, 8)];
let dropped = 0;
for (let i = 8; i < before.length;) {
  const id = before[i];
  const [n, at] = leb(before, i + 1);
  let body = before.subarray(at, at + n);
  if (id === 7) {
    let [count, j] = leb(body, 0);
    const kept = [];
    for (let k = 0; k < count; k++) {
      const start = j;
      const [len, p] = leb(body, j);
      const name = body.subarray(p, p + len).toString();
      j = leb(body, p + len + 1)[1];
      if (DEAD.test(name)) dropped++; else kept.push(body.subarray(start, j));
    }
    body = Buffer.concat([enc(kept.length), ...kept]);
  }
  parts.push(Buffer.from([id]), enc(body.length), body);
  i = at + n;
}
fs.writeFileSync(wasmPath, Buffer.concat(parts));
const here = path.dirname(fileURLToPath(import.meta.url));
execFileSync(path.join(here, 'tools/node_modules/.bin/wasm-opt'),
  ['-Os', '--converge', wasmPath, '-o', wasmPath], { stdio: 'inherit' });

const sri = (buf) => 'sha384-' + crypto.createHash('sha384').update(buf).digest('base64');
const page = fs.readFileSync(htmlPath, 'utf8');
const old = sri(before);
if (!page.includes(old)) {
  console.error(`wasm-post: no integrity ${old} in ${htmlPath}`);
  process.exit(1);
}
let html = page.split(old).join(sri(fs.readFileSync(wasmPath)));

// The JS glue's classes for those exports (before terser): each `export
// class IntoUnderlying… {…}` (its braces counted; the bodies hold no
// strings, and their comments' braces pair up), its `Symbol.dispose`
// line and its finalization registry.
const jsPath = wasmPath.replace(/_bg\.wasm$/, '.js');
const js = fs.readFileSync(jsPath, 'utf8');
let out = js, classes = 0;
for (;;) {
  const m = /export class IntoUnderlying\w* ?\{/.exec(out);
  if (!m) break;
  let depth = 0, end = m.index + m[0].length - 1;
  do {
    if (out[end] === '{') depth++;
    else if (out[end] === '}') depth--;
    end++;
  } while (depth > 0 && end < out.length);
  out = out.slice(0, m.index) + out.slice(end);
  classes++;
}
out = out
  .replace(/if \(Symbol\.dispose\) IntoUnderlying\w* *\.prototype\[Symbol\.dispose\] = IntoUnderlying\w*\.prototype\.free;\n/g, '')
  .replace(/const IntoUnderlying\w*Finalization = [^;]*;\n/g, '');
if (/IntoUnderlying/.test(out)) {
  console.error('wasm-post: the JS glue still names IntoUnderlying… (its shape changed?)');
  process.exit(1);
}
if (!html.includes(sri(Buffer.from(js)))) {
  console.error(`wasm-post: no integrity for ${jsPath} in ${htmlPath}`);
  process.exit(1);
}
fs.writeFileSync(jsPath, out);
html = html.split(sri(Buffer.from(js))).join(sri(Buffer.from(out)));
fs.writeFileSync(htmlPath, html);
console.log(`wasm-post: ${dropped} unused exports dropped, ${before.length} -> ${fs.statSync(wasmPath).size} bytes; ${classes} glue classes dropped, ${js.length} -> ${out.length} bytes of JS`);
