/**
 * Hand-built ONNX models for tests: the protobuf bytes of a ModelProto written field by
 * field (no onnx tooling), small enough that every output value can be computed by hand.
 *
 * Every model reads `images` `[B, C, H, W]` (float32), averages each `stride` × `stride`
 * cell (AveragePool), and derives its outputs from the cell means of channel 0 with a 1 × 1
 * Conv plus a constant grid offset. For a cell (i = col, j = row) with channel-0 mean m:
 * - `yolov8-detect`: output `[B, 4 + C, N]`, N = (H/s)·(W/s), anchor n = j·(W/s) + i:
 *   cx = (i + ½)·s, cy = (j + ½)·s, w = h = `boxPx`, class 0 score = m, other classes 0.
 * - `yolov8-obb`: as above plus a last row holding `angleRad` for every anchor.
 * - `sitewatch-centernet-v1`: `heatmap` `[B, C, H/s, W/s]` = m for class 0 (0 otherwise),
 *   `box` `[B, 4, H/s, W/s]` = (0.5, 0.5, boxPx, boxPx), `angle` `[B, 2, H/s, W/s]` =
 *   (cos 2θ, sin 2θ) for θ = `angleRad`.
 * So with an identity normalisation and a channel 0 in [0, 1], a bright square filling one
 * cell yields one detection of class 0 centred on that cell with that score.
 */

type Field = Uint8Array;

const textEncoder = new TextEncoder();

function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0n);
  return bytes;
}

function concat(parts: readonly Field[]): Uint8Array {
  const length = parts.reduce((sum, p) => sum + p.length, 0);
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Varint field (wire type 0). */
function vField(field: number, value: number | bigint): Field {
  return Uint8Array.from([...varint(field * 8), ...varint(value)]);
}

/** Length-delimited field (wire type 2): bytes, a string or a message. */
function lField(field: number, payload: Uint8Array | string): Field {
  const bytes = typeof payload === 'string' ? textEncoder.encode(payload) : payload;
  return concat([Uint8Array.from([...varint(field * 8 + 2), ...varint(bytes.length)]), bytes]);
}

const FLOAT = 1;
const INT64 = 7;

/** TensorProto with raw little-endian data. */
function tensor(name: string, dims: readonly number[], values: readonly number[], type = FLOAT) {
  const raw = new Uint8Array(values.length * (type === FLOAT ? 4 : 8));
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    if (type === FLOAT) view.setFloat32(i * 4, v, true);
    else view.setBigInt64(i * 8, BigInt(v), true);
  });
  return concat([
    ...dims.map((d) => vField(1, d)),
    vField(2, type),
    lField(8, name),
    lField(9, raw),
  ]);
}

/** ValueInfoProto of a float tensor; a string dim is symbolic (dim_param). */
function valueInfo(name: string, dims: readonly (number | string)[]): Field {
  const shape = concat(
    dims.map((d) => lField(1, typeof d === 'number' ? vField(1, d) : lField(2, d))),
  );
  const tensorType = concat([vField(1, FLOAT), lField(2, shape)]);
  return concat([lField(1, name), lField(2, lField(1, tensorType))]);
}

type Attribute =
  | { readonly name: string; readonly ints: readonly number[] }
  | { readonly name: string; readonly int: number };

function attribute(a: Attribute): Field {
  if ('ints' in a) {
    return concat([lField(1, a.name), ...a.ints.map((v) => vField(8, v)), vField(20, 7)]);
  }
  return concat([lField(1, a.name), vField(3, a.int), vField(20, 2)]);
}

function node(
  op: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: readonly Attribute[] = [],
): Field {
  return concat([
    ...inputs.map((i) => lField(1, i)),
    ...outputs.map((o) => lField(2, o)),
    lField(3, `${op}_${outputs[0] ?? ''}`),
    lField(4, op),
    ...attributes.map((a) => lField(5, attribute(a))),
  ]);
}

function modelProto(graph: Field): Uint8Array {
  const opset = concat([lField(1, ''), vField(2, 17)]);
  return concat([vField(1, 8), lField(2, 'sitewatch-tests'), lField(7, graph), lField(8, opset)]);
}

export type TinyLayout = 'yolov8-detect' | 'yolov8-obb' | 'sitewatch-centernet-v1';

export interface TinyModelOptions {
  readonly layout: TinyLayout;
  /** Input channels. */
  readonly channels: number;
  readonly inputSize: number;
  readonly stride: number;
  readonly classes: number;
  /** Box side, input pixels. */
  readonly boxPx: number;
  /** For the oriented layouts. */
  readonly angleRad?: number;
  /** A fixed batch size in the input shape instead of a symbolic one. */
  readonly fixedBatch?: number;
  /** Declare an input of rank 3 (a bad model, for error tests). */
  readonly inputRank3?: boolean;
}

/** Rows of the 1 × 1 conv: each output channel's weight on channel 0, and its bias. */
interface ChannelPlan {
  readonly weight: number;
  readonly bias: number;
  /** Per cell (row-major over the H/s × W/s grid) offset added after the conv. */
  readonly offset: (i: number, j: number) => number;
}

function convGraph(
  options: TinyModelOptions,
  plan: readonly ChannelPlan[],
  prefix: string,
  input: string,
): { nodes: Field[]; initializers: Field[]; output: string } {
  const cells = options.inputSize / options.stride;
  const weights: number[] = [];
  for (const p of plan) {
    for (let c = 0; c < options.channels; c += 1) weights.push(c === 0 ? p.weight : 0);
  }
  const offsets: number[] = [];
  for (const p of plan) {
    for (let j = 0; j < cells; j += 1)
      for (let i = 0; i < cells; i += 1) offsets.push(p.offset(i, j));
  }
  return {
    nodes: [
      node('Conv', [input, `${prefix}_w`, `${prefix}_b`], [`${prefix}_conv`]),
      node('Add', [`${prefix}_conv`, `${prefix}_grid`], [`${prefix}_out`]),
    ],
    initializers: [
      tensor(`${prefix}_w`, [plan.length, options.channels, 1, 1], weights),
      tensor(
        `${prefix}_b`,
        [plan.length],
        plan.map((p) => p.bias),
      ),
      tensor(`${prefix}_grid`, [1, plan.length, cells, cells], offsets),
    ],
    output: `${prefix}_out`,
  };
}

/** The ONNX bytes of a tiny model (see the file comment for what it computes). */
export function tinyOnnxModel(options: TinyModelOptions): Uint8Array {
  const { stride, classes, boxPx, inputSize } = options;
  const angle = options.angleRad ?? 0;
  const cells = inputSize / stride;
  const batch: number | string = options.fixedBatch ?? 'batch';
  const inputDims =
    options.inputRank3 === true
      ? [options.channels, inputSize, inputSize]
      : [batch, options.channels, inputSize, inputSize];
  const nodes: Field[] = [];
  const initializers: Field[] = [];
  let pooledInput = 'images';
  if (options.inputRank3 === true) {
    // A rank-3 input reshaped to one batch item, so the graph itself is valid.
    nodes.push(node('Reshape', ['images', 'batch_shape'], ['images4']));
    initializers.push(
      tensor('batch_shape', [4], [1, options.channels, inputSize, inputSize], INT64),
    );
    pooledInput = 'images4';
  }
  nodes.push(
    node(
      'AveragePool',
      [pooledInput],
      ['pooled'],
      [
        { name: 'kernel_shape', ints: [stride, stride] },
        { name: 'strides', ints: [stride, stride] },
      ],
    ),
  );
  const outputs: Field[] = [];
  const constant = (value: number): ChannelPlan => ({ weight: 0, bias: value, offset: () => 0 });
  const score: ChannelPlan = { weight: 1, bias: 0, offset: () => 0 };
  const classPlans = Array.from({ length: classes }, (_, k) => (k === 0 ? score : constant(0)));
  if (options.layout === 'sitewatch-centernet-v1') {
    const parts: [string, ChannelPlan[]][] = [
      ['heatmap', classPlans],
      ['box', [constant(0.5), constant(0.5), constant(boxPx), constant(boxPx)]],
      ['angle', [constant(Math.cos(2 * angle)), constant(Math.sin(2 * angle))]],
    ];
    for (const [name, plan] of parts) {
      const g = convGraph(options, plan, name, 'pooled');
      nodes.push(...g.nodes, node('Identity', [g.output], [name]));
      initializers.push(...g.initializers);
      outputs.push(valueInfo(name, [batch, plan.length, cells, cells]));
    }
  } else {
    const plan: ChannelPlan[] = [
      { weight: 0, bias: 0, offset: (i) => (i + 0.5) * stride },
      { weight: 0, bias: 0, offset: (_i, j) => (j + 0.5) * stride },
      constant(boxPx),
      constant(boxPx),
      ...classPlans,
      ...(options.layout === 'yolov8-obb' ? [constant(angle)] : []),
    ];
    const g = convGraph(options, plan, 'head', 'pooled');
    nodes.push(...g.nodes, node('Reshape', [g.output, 'flat_shape'], ['output0']));
    initializers.push(...g.initializers, tensor('flat_shape', [3], [0, plan.length, -1], INT64));
    outputs.push(valueInfo('output0', [batch, plan.length, cells * cells]));
  }
  const graph = concat([
    ...nodes.map((n) => lField(1, n)),
    lField(2, `tiny-${options.layout}`),
    ...initializers.map((t) => lField(5, t)),
    lField(11, valueInfo('images', inputDims)),
    ...outputs.map((o) => lField(12, o)),
  ]);
  return modelProto(graph);
}
