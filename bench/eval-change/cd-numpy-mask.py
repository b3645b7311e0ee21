#!/usr/bin/python3
"""Runs the shared numpy change-detection peer (../shared/bench/cd_numpy.py) unchanged and
saves its final change mask, so the benchmark can score it with the same truth and ignore
mask as every other method (the script itself only prints its own F1).

usage: /usr/bin/python3 cd-numpy-mask.py CD_NUMPY_PY OUT_MASK_U8 cva|irmad DIR [cd_numpy options]

The script is executed with runpy (its code is not copied); its module globals hold `mask`
(uint8, H x W, 1 = change) once it finishes. The mask is written as raw bytes, row-major.
"""
import runpy
import sys

script, out_path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.argv = [script] + args
result = runpy.run_path(script, run_name="__main__")
mask = result["mask"]
mask.astype("uint8").tofile(out_path)
