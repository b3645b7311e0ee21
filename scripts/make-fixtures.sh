#!/usr/bin/env bash
# Regenerates the small synthetic raster fixtures under fixtures/raster/ (CC0, see fixtures/README.md).
# Needs Debian's gdal-bin and python3-gdal (with numpy); these are fixture tools only, never product
# dependencies. Pixel values follow simple formulas (documented in fixtures/README.md) so that tests
# can compute the expected values instead of hard-coding them. The output is deterministic: running
# the script twice gives byte-identical files.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo_root/fixtures/raster"
python="${SITEWATCH_GDAL_PYTHON:-/usr/bin/python3}"

export GDAL_PAM_ENABLED=NO          # no .aux.xml side files
export GDAL_DISABLE_READDIR_ON_OPEN=EMPTY_DIR
export CPL_LOG=/dev/null

rm -rf "$out"
mkdir -p "$out/band-set" "$out/band-set-shifted"

"$python" - "$out" <<'PY'
import struct
import sys

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()
out = sys.argv[1]


def srs_wkt(code):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(code)
    return srs.ExportToWkt()


def pattern(bands, height, width, dtype, scale=1, offset=0):
    """value(band b, row r, col c) = (r * 7 + c * 3 + b * 50) * scale + offset, wrapped to the type."""
    rows, cols = np.mgrid[0:height, 0:width]
    planes = [((rows * 7 + cols * 3 + b * 50) * scale + offset) for b in range(bands)]
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
    if info is not None:
        span = int(info.max) - int(info.min) + 1
        planes = [((p - int(info.min)) % span + int(info.min)) for p in planes]
    return np.stack(planes).astype(dtype)


def write(path, array, gdal_type, options, epsg=None, geotransform=None, nodata=None,
          metadata=None, descriptions=None, srs_text=None, driver='GTiff'):
    bands, height, width = array.shape
    drv = gdal.GetDriverByName(driver)
    ds = drv.Create(path, width, height, bands, gdal_type, options)
    if geotransform is not None:
        ds.SetGeoTransform(geotransform)
    if epsg is not None:
        ds.SetProjection(srs_wkt(epsg))
    if srs_text is not None:
        ds.SetProjection(srs_text)
    if metadata:
        for key, value in metadata.items():
            ds.SetMetadataItem(key, value)
    for b in range(bands):
        band = ds.GetRasterBand(b + 1)
        band.WriteArray(array[b])
        if nodata is not None:
            band.SetNoDataValue(nodata)
        if descriptions:
            band.SetDescription(descriptions[b])
    ds.FlushCache()
    ds = None


# 1. uint8 RGB, DEFLATE, tiled 16x16, EPSG:32618, with TIFF and GDAL metadata tags.
write(f'{out}/rgb-uint8-deflate-tiled-32618.tif', pattern(3, 64, 64, np.uint8), gdal.GDT_Byte,
      ['COMPRESS=DEFLATE', 'TILED=YES', 'BLOCKXSIZE=16', 'BLOCKYSIZE=16', 'PHOTOMETRIC=RGB'],
      epsg=32618, geotransform=(500000.0, 10.0, 0.0, 4500000.0, 0.0, -10.0),
      metadata={'TIFFTAG_DATETIME': '2020:01:02 03:04:05',
                'TIFFTAG_IMAGEDESCRIPTION': 'synthetic fixture',
                'TIFFTAG_SOFTWARE': 'sitewatch make-fixtures',
                'ACQUISITION_DATE': '2020-01-02T03:04:05Z',
                'sensor_name': 'synthetic'})

# 2. uint16 4 bands, LZW + horizontal predictor, striped (8 rows), band-interleaved, EPSG:4326,
#    band names from GDAL band descriptions.
write(f'{out}/uint16-4band-lzw-striped-4326.tif', pattern(4, 40, 48, np.uint16, scale=100),
      gdal.GDT_UInt16,
      ['COMPRESS=LZW', 'PREDICTOR=2', 'BLOCKYSIZE=8', 'INTERLEAVE=BAND'],
      epsg=4326, geotransform=(2.35, 0.0001, 0.0, 48.87, 0.0, -0.0001),
      descriptions=['blue', 'green', 'red', 'nir'])

# 3. int16, PackBits, big-endian, nodata -9999 (the top-left 4x4 pixels), pixel-is-point, EPSG:3857.
int16 = pattern(1, 32, 40, np.int16, scale=10, offset=-500)
int16[0, 0:4, 0:4] = -9999
write(f'{out}/int16-packbits-nodata-3857.tif', int16, gdal.GDT_Int16,
      ['COMPRESS=PACKBITS', 'ENDIANNESS=BIG'],
      epsg=3857, geotransform=(-8238000.0, 30.0, 0.0, 4970000.0, 0.0, -30.0), nodata=-9999,
      metadata={'AREA_OR_POINT': 'Point'})

# 4. float32, ZSTD + floating-point predictor, BigTIFF, tiled, EPSG:27700, NaN nodata
#    (value = pattern / 8; NaN where row == col).
f32 = pattern(1, 32, 32, np.float32, scale=0.125)
for i in range(32):
    f32[0, i, i] = np.nan
write(f'{out}/float32-zstd-27700.tif', f32, gdal.GDT_Float32,
      ['COMPRESS=ZSTD', 'PREDICTOR=3', 'BIGTIFF=YES', 'TILED=YES', 'BLOCKXSIZE=16',
       'BLOCKYSIZE=16'],
      epsg=27700, geotransform=(530000.0, 2.0, 0.0, 180000.0, 0.0, -2.0), nodata=float('nan'))

# 5. source for the JPEG COG (smooth gradients so that JPEG stays close to the formula).
rows, cols = np.mgrid[0:64, 0:64]
smooth = np.stack([rows * 4, cols * 4, (rows + cols) * 2]).astype(np.uint8)
write(f'{out}/.cog-source.tif', smooth, gdal.GDT_Byte, ['PHOTOMETRIC=RGB'],
      epsg=3857, geotransform=(14321853.0, 0.5, 0.0, 4533021.0, 0.0, -0.5))

# 6. pixel-only (no georeferencing), uint8 1 band, uncompressed.
write(f'{out}/pixel-only.tif', pattern(1, 16, 16, np.uint8), gdal.GDT_Byte, [])

# 6b. rotated grid: GDAL writes a ModelTransformation instead of tiepoint + pixel scale.
write(f'{out}/rotated-32618.tif', pattern(1, 8, 8, np.uint8), gdal.GDT_Byte, [], epsg=32618,
      geotransform=(500000.0, 10.0, 2.0, 4500000.0, 2.0, -10.0))

# 7. user-defined CRS (geostationary), like goes.tif: GDAL writes ProjectedCSTypeGeoKey = 32767.
write(f'{out}/user-defined-crs.tif', pattern(1, 8, 8, np.uint8), gdal.GDT_Byte, [],
      srs_text='+proj=geos +lon_0=-75 +h=35786023 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs +sweep=x',
      geotransform=(-100000.0, 2000.0, 0.0, 100000.0, 0.0, -2000.0))

# 8. unknown EPSG code: written as EPSG:32618, then ProjectedCSTypeGeoKey patched to 60000
#    (a private-range code that no EPSG index holds; GeoKey values are 16-bit, so 99999 cannot be stored).
unknown = f'{out}/unknown-epsg.tif'
write(unknown, pattern(1, 8, 8, np.uint8), gdal.GDT_Byte, [], epsg=32618,
      geotransform=(500000.0, 10.0, 0.0, 4500000.0, 0.0, -10.0))
with open(unknown, 'rb') as handle:
    data = bytearray(handle.read())
needle = struct.pack('<4H', 3072, 0, 1, 32618)
at = data.find(needle)
assert at > 0 and data.find(needle, at + 1) < 0, 'ProjectedCSTypeGeoKey entry not found once'
data[at:at + 8] = struct.pack('<4H', 3072, 0, 1, 60000)
with open(unknown, 'wb') as handle:
    handle.write(data)

# 9. PNG (RGB) with a world file and a .prj (EPSG:32618); 16-bit grey PNG; JPEG with a .jgw;
#    PNG whose world file has a zero x pixel size.
mem = gdal.GetDriverByName('MEM')


def write_image(path, array, gdal_type, driver, options=()):
    bands, height, width = array.shape
    ds = mem.Create('', width, height, bands, gdal_type)
    for b in range(bands):
        ds.GetRasterBand(b + 1).WriteArray(array[b])
    gdal.GetDriverByName(driver).CreateCopy(path, ds, options=list(options))
    ds = None


write_image(f'{out}/rgb-32618.png', pattern(3, 24, 32, np.uint8), gdal.GDT_Byte, 'PNG')
write_image(f'{out}/gray16.png', pattern(1, 12, 16, np.uint16, scale=1000), gdal.GDT_UInt16, 'PNG')
write_image(f'{out}/rgb.jpg', smooth[:, 0:24, 0:32], gdal.GDT_Byte, 'JPEG', ['QUALITY=95'])
write_image(f'{out}/zero-pixel-size.png', pattern(3, 8, 8, np.uint8), gdal.GDT_Byte, 'PNG')

# World files: A, D, B, E, C, F with C/F the centre of the upper-left pixel.
with open(f'{out}/rgb-32618.pgw', 'w') as handle:
    handle.write('10.0\n0.0\n0.0\n-10.0\n500005.0\n4499995.0\n')
with open(f'{out}/rgb-32618.prj', 'w') as handle:
    handle.write(srs_wkt(32618))
with open(f'{out}/gray16.pgw', 'w') as handle:
    handle.write('2.0\n0.0\n0.0\n-2.0\n530001.0\n179999.0\n')
with open(f'{out}/rgb.jgw', 'w') as handle:
    handle.write('0.5\n0.0\n0.0\n-0.5\n14321853.25\n4533020.75\n')
with open(f'{out}/zero-pixel-size.pgw', 'w') as handle:
    handle.write('0.0\n0.0\n0.0\n-10.0\n500005.0\n4499995.0\n')

# 10. band set: B02 and B03 at 10 m (10x10 px), B05 at 20 m (5x5 px), same extent, uint16, EPSG:32618;
#     and one B03 shifted by 50 m, for the mismatch test.
prefix = 'T99XXX_20200101T000000'
for name, size, pixel, offset in (('B02', 10, 10.0, 0), ('B03', 10, 10.0, 1000), ('B05', 5, 20.0, 2000)):
    write(f'{out}/band-set/{prefix}_{name}.tif', pattern(1, size, size, np.uint16, scale=10, offset=offset),
          gdal.GDT_UInt16, [], epsg=32618, geotransform=(600000.0, pixel, 0.0, 5000000.0, 0.0, -pixel))
write(f'{out}/band-set-shifted/T99YYY_20200101T000000_B03.tif',
      pattern(1, 10, 10, np.uint16, scale=10), gdal.GDT_UInt16, [], epsg=32618,
      geotransform=(600050.0, 10.0, 0.0, 5000000.0, 0.0, -10.0))

# 11. the fast decode path (DEFLATE or none; predictors 1/2/3): 37x29 pixels, so that 16x16 tiles
#     and 5-row strips leave partial edge blocks; NaN and infinity in the float files.
import os
os.makedirs(f'{out}/decode', exist_ok=True)
tiled = ['TILED=YES', 'BLOCKXSIZE=16', 'BLOCKYSIZE=16']
striped = ['BLOCKYSIZE=5']
deflate = ['COMPRESS=DEFLATE']


def with_specials(array):
    array[0, 3, 4] = np.nan
    array[0, 20, 30] = np.inf
    array[-1, 28, 36] = -np.inf
    return array


decode_cases = [
    ('uint8-3band-deflate-pred2-tiled', pattern(3, 29, 37, np.uint8), gdal.GDT_Byte,
     deflate + ['PREDICTOR=2'] + tiled),
    ('uint16-4band-deflate-pred2-striped-planar', pattern(4, 29, 37, np.uint16, scale=997),
     gdal.GDT_UInt16, deflate + ['PREDICTOR=2', 'INTERLEAVE=BAND'] + striped),
    ('int16-2band-deflate-pred2-tiled-bigendian',
     pattern(2, 29, 37, np.int16, scale=331, offset=-20000), gdal.GDT_Int16,
     deflate + ['PREDICTOR=2', 'ENDIANNESS=BIG'] + tiled),
    ('int32-deflate-pred2-striped', pattern(1, 29, 37, np.int32, scale=100003, offset=-2**30),
     gdal.GDT_Int32, deflate + ['PREDICTOR=2'] + striped),
    ('float32-2band-deflate-pred3-tiled',
     with_specials(pattern(2, 29, 37, np.float32, scale=0.37, offset=-50)), gdal.GDT_Float32,
     deflate + ['PREDICTOR=3'] + tiled),
    ('float32-2band-deflate-pred3-striped-planar-bigendian',
     with_specials(pattern(2, 29, 37, np.float32, scale=0.37, offset=-50)), gdal.GDT_Float32,
     deflate + ['PREDICTOR=3', 'INTERLEAVE=BAND', 'ENDIANNESS=BIG'] + striped),
    ('float64-deflate-pred3-tiled',
     with_specials(pattern(1, 29, 37, np.float64, scale=0.001, offset=1e10)), gdal.GDT_Float64,
     deflate + ['PREDICTOR=3'] + tiled),
    ('uint16-2band-deflate-tiled', pattern(2, 29, 37, np.uint16, scale=997), gdal.GDT_UInt16,
     deflate + tiled),
    ('uint16-3band-none-striped-bigendian', pattern(3, 29, 37, np.uint16, scale=997),
     gdal.GDT_UInt16, ['ENDIANNESS=BIG'] + striped),
    ('float32-2band-none-tiled-planar',
     with_specials(pattern(2, 29, 37, np.float32, scale=0.37, offset=-50)), gdal.GDT_Float32,
     ['INTERLEAVE=BAND'] + tiled),
]
for name, array, gdal_type, options in decode_cases:
    write(f'{out}/decode/{name}.tif', array, gdal_type, options)
PY

# JPEG-compressed COG (YCbCr, 16x16 blocks, internal overviews 32x32 and 16x16).
gdal_translate -q -of COG -co COMPRESS=JPEG -co QUALITY=90 -co BLOCKSIZE=16 -co OVERVIEWS=IGNORE_EXISTING \
  "$out/.cog-source.tif" "$out/cog-jpeg-3857.tif"
rm -f "$out/.cog-source.tif" "$out"/*.aux.xml "$out"/*.xml

ls -la "$out" "$out/band-set" "$out/band-set-shifted" "$out/decode"
