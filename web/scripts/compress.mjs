// Writes NAME.gz beside every compressible asset of the build, so calypso serve can send the
// big chunks (the Kusto worker is ~8 MB, ~1.3 MB gzip'd) compressed without compressing on
// each request. Run by `npm run build` after vite; the output folder as in vite.config.ts.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const out = process.env.CALYPSO_WEB_OUT || 'dist';
const assets = join(out, 'assets');
let files = 0, raw = 0, packed = 0;
for (const name of readdirSync(assets)) {
  if (!/\.(js|css|ttf|svg|json|map)$/.test(name)) continue;
  const data = readFileSync(join(assets, name));
  if (data.length < 1024) continue;
  const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(join(assets, name + '.gz'), gz);
  files++;
  raw += data.length;
  packed += gz.length;
}
console.log(`compress: ${files} assets, ${(raw / 1e6).toFixed(2)} MB -> ${(packed / 1e6).toFixed(2)} MB gzip'd`);
