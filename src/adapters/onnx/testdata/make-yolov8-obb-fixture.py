#!/usr/bin/python3
"""Writes yolov8-obb-fixture.onnx: a tiny ONNX model (opset 17) with the output layout of an
Ultralytics YOLOv8/YOLO11 OBB export, for the end-to-end detect test.

  /usr/bin/python3 src/adapters/onnx/testdata/make-yolov8-obb-fixture.py   (needs python3-onnx)

Input `images` [1, 3, 64, 64] float32 (a fixed batch of 1, as `yolo export` writes by default);
output `output0` [1, 4 + C + 1, N] = [1, 7, 4]: per anchor cx, cy, w, h in input pixels, C class
scores, then the angle in radians (last), as Ultralytics lays it out. The anchors are the boxes of
yolov8-obb-fixture.boxes.json; every class score is multiplied by the input's maximum, so a
white tile (1.0 after scale 1/255) gives the scores as written and a black tile gives none.
Made by the sitewatch project; model and script are CC0 1.0 (public domain dedication).
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "yolov8-obb-fixture.boxes.json")) as f:
    spec = json.load(f)
anchors = spec["anchors"]
classes = len(spec["classes"])
size = spec["inputSize"]
n = len(anchors)
rows = 4 + classes + 1

geometry = np.zeros((1, rows, n), np.float32)  # boxes and angle rows; class rows 0
scores = np.zeros((1, rows, n), np.float32)  # class rows only
for a, box in enumerate(anchors):
    geometry[0, 0:4, a] = [box["cx"], box["cy"], box["w"], box["h"]]
    geometry[0, rows - 1, a] = box["angleRad"]
    scores[0, 4 : 4 + classes, a] = box["scores"]

nodes = [
    # [1, 1, 1, 1] → [1, 1, 1]: the tile's brightest value, broadcast over [1, rows, N].
    helper.make_node("ReduceMax", ["images"], ["peak4"], axes=[1, 2, 3], keepdims=1),
    helper.make_node("Reshape", ["peak4", "shape3"], ["peak"]),
    helper.make_node("Mul", ["scores", "peak"], ["scaled"]),
    helper.make_node("Add", ["geometry", "scaled"], ["output0"]),
]
graph = helper.make_graph(
    nodes,
    "yolov8-obb-fixture",
    [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, size, size])],
    [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, rows, n])],
    initializer=[
        numpy_helper.from_array(geometry, "geometry"),
        numpy_helper.from_array(scores, "scores"),
        numpy_helper.from_array(np.array([1, 1, 1], np.int64), "shape3"),
    ],
)
model = helper.make_model(
    graph,
    opset_imports=[helper.make_opsetid("", 17)],
    producer_name="sitewatch make-yolov8-obb-fixture.py",
)
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, os.path.join(here, "yolov8-obb-fixture.onnx"))
print(f"wrote yolov8-obb-fixture.onnx: [1, 3, {size}, {size}] -> [1, {rows}, {n}]")
