// Writes a .br and a .gz beside every built JavaScript and CSS file, so the server sends the
// bundle compressed without compressing on each request (the engine is ≈3 MB raw, ≈1 MB br).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const folder = join(import.meta.dirname, 'dist', 'assets');
for (const name of readdirSync(folder)) {
  if (!/\.(js|css)$/.test(name)) continue;
  const raw = readFileSync(join(folder, name));
  writeFileSync(join(folder, `${name}.gz`), gzipSync(raw, { level: 9 }));
  writeFileSync(
    join(folder, `${name}.br`),
    brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
}
