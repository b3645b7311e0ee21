/**
 * The records the crash-safety test writes: deterministic from their index, with several
 * files and sites each, so a half-written image would show as missing rows.
 */
import type { ImageRecord, StoredFile } from '../../../core/imagery/image.ts';
import { fakeSha256, makeImageRecord } from '../../../app/contracts/fixtures.ts';

/** Record number `index` (0, 1, 2, …): 2–7 files and 1–4 sites, sites sorted by id. */
export function crashRecord(index: number): ImageRecord {
  const seed = 10_000 + index;
  const base = makeImageRecord({ seed });
  const fileCount = 2 + (index % 6);
  const files: StoredFile[] = Array.from({ length: fileCount }, (_, fileIndex) => {
    const sha256 = fileIndex === 0 ? base.sha256 : fakeSha256(seed * 10 + fileIndex);
    return {
      role: fileIndex === 0 ? 'raster' : 'band',
      sha256,
      sizeBytes: 1_000_000 + fileIndex,
      originalPath: `/data/crash/${index}/band-${fileIndex}.tif`,
      storedPath: `/home/analyst/.sitewatch/blobs/sha256/${sha256.slice(0, 2)}/${sha256}`,
      linked: false,
    };
  });
  const sites = Array.from({ length: 1 + (index % 4) }, (_, site) => `site-${site}`);
  return { ...base, files, sites };
}
