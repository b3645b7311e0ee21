#!/usr/bin/env bash
# Makes the sample imagery shipped in examples/imagery/: a 1.8 km × 1.8 km crop over the
# Paris Gare de Lyon / Bercy rail yards of the two Copernicus Sentinel-2 L1C acquisitions in
# ../shared/data/oscd (city "bercy"), all 13 bands, each at its native 10/20/60 m resolution.
# Copernicus Sentinel data may be redistributed with attribution; the OSCD change labels
# (CC BY-NC-SA) are NOT used or shipped. Needs Debian gdal-bin. Deterministic.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src=${OSCD_DIR:-$here/../shared/data/oscd/images/bercy}
out=$here/examples/imagery/paris-bercy
[ -d "$src" ] || { echo "make-sample-imagery: $src is absent" >&2; exit 1; }
command -v gdal_translate >/dev/null || { echo "make-sample-imagery: needs gdal-bin" >&2; exit 1; }

# Crop window on the 10 m grid; a multiple of 6 so the 20 m and 60 m grids align with it.
col0=120 row0=168 size=180

crop_date() { # $1 source folder, $2 output folder, $3 output prefix
  mkdir -p "$2"
  for f in "$1"/*_B??.tif; do
    band=$(basename "$f" .tif | sed 's/.*_\(B[0-9A]*\)$/\1/')
    w=$(gdalinfo "$f" | sed -n 's/^Size is \([0-9]*\), .*/\1/p')
    factor=$((360 / w))        # 1 for 10 m, 2 for 20 m, 6 for 60 m bands (bercy is 360 px wide at 10 m)
    gdal_translate -q -srcwin $((col0 / factor)) $((row0 / factor)) $((size / factor)) $((size / factor)) \
      -co COMPRESS=DEFLATE -co PREDICTOR=2 -co TILED=NO \
      --config GDAL_PAM_ENABLED NO \
      "$f" "$2/${3}_${band}.tif"
  done
}
rm -rf "$out"
crop_date "$src/imgs_1" "$out/2016-11-30" S2A_20161130_T31UDQ_paris-bercy
crop_date "$src/imgs_2" "$out/2017-08-29" S2_20170829_T31UDQ_paris-bercy

write_item() { # $1 folder, $2 id, $3 datetime, $4 platform
  python3 - "$1" "$2" "$3" "$4" <<'PY'
import json, os, sys
folder, item_id, dt, platform = sys.argv[1:]
bands = sorted(f for f in os.listdir(folder) if f.endswith('.tif'))
item = {
  "type": "Feature", "stac_version": "1.0.0", "id": item_id,
  "properties": {
    "datetime": dt, "platform": platform, "constellation": "sentinel-2", "instruments": ["msi"],
    "providers": [{"name": "European Space Agency (Copernicus)", "roles": ["producer", "licensor"]}],
    "license": "Copernicus Sentinel data terms (free and open, attribution required)",
    "sitewatch:credit": "Contains modified Copernicus Sentinel data " + dt[:4] + ", via the OSCD dataset (Daudt et al. 2018)",
  },
  "geometry": None, "links": [],
  "assets": {b.rsplit('_', 1)[1][:-4]: {"href": "./" + b, "type": "image/tiff; application=geotiff"} for b in bands},
}
with open(os.path.join(folder, "item.json"), "w") as fh:
  json.dump(item, fh, indent=2); fh.write("\n")
PY
}
# Dates from OSCD's dates.txt (20161130, 20170829); the day is known, the time of day is not.
write_item "$out/2016-11-30" S2A_20161130_T31UDQ_paris-bercy 2016-11-30T00:00:00Z sentinel-2a
write_item "$out/2017-08-29" S2_20170829_T31UDQ_paris-bercy 2017-08-29T00:00:00Z sentinel-2
du -sh "$out"
