/** Sentinel-2 MSI band codes in the product's (and sitewatch's band-set) order, for tests. */
export const SENTINEL2_BANDS: readonly string[] = [
  'B01',
  'B02',
  'B03',
  'B04',
  'B05',
  'B06',
  'B07',
  'B08',
  'B8A',
  'B09',
  'B10',
  'B11',
  'B12',
];
