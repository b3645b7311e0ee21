import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { checkInputShape, checkOutputShapes, parseModelDescriptor } from './descriptor.ts';
import type { ModelDescriptor } from './detection.ts';

const minimal = {
  id: 'sitewatch-vehicles',
  version: '1.0.0',
  layout: 'yolov8-obb',
  classes: ['small-vehicle', 'large-vehicle', 'ship', 'plane'],
  inputWidth: 1024,
  inputHeight: 1024,
  bands: ['red', 'green', 'blue'],
  normalisation: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  gsdMeters: 0.5,
  licence: 'AGPL-3.0; trained on DOTA (research use only)',
};

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

function parsed(overrides: Record<string, unknown> = {}): ModelDescriptor {
  return parseModelDescriptor({ ...minimal, ...overrides }, 'models/x.json');
}

describe('parseModelDescriptor', () => {
  it('fills the defaults', () => {
    const d = parsed();
    expect(d.stride).toBeNull();
    expect(d.maxDetectionsPerTile).toBe(300);
    expect(d.nmsIou).toBe(0.5);
    expect(d.normalisation.stretch).toBe('none');
    expect(d.description).toBe('');
    expect(d.classes).toEqual(minimal.classes);
  });

  it('keeps given optional values and ignores unknown keys', () => {
    const d = parsed({ nmsIou: 0.3, maxDetectionsPerTile: 50, modelCard: 'card.md' });
    expect(d.nmsIou).toBe(0.3);
    expect(d.maxDetectionsPerTile).toBe(50);
    expect(d).not.toHaveProperty('modelCard');
  });

  it('names the file and each bad field', () => {
    const error = errorOf(() =>
      parseModelDescriptor({ ...minimal, layout: 'yolov5', inputWidth: -3 }, 'models/x.json'),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain('models/x.json');
    expect(error.message).toMatch(
      /layout: expected one of yolov8-detect, yolov8-obb, sitewatch-centernet-v1, got "yolov5"/,
    );
    expect(error.message).toContain('inputWidth');
  });

  it('names a missing field', () => {
    const rest: Record<string, unknown> = { ...minimal };
    delete rest.classes;
    expect(() => parseModelDescriptor(rest, 'd.json')).toThrow(/d\.json.*classes: missing/);
  });

  it('checks the per-band normalisation against the bands', () => {
    expect(() => parsed({ normalisation: { scale: 1, mean: [0, 0], std: [1, 1, 1] } })).toThrow(
      /normalisation\.mean: expected 3 values.*got 2/,
    );
  });

  it('requires a stride dividing the input for the centernet layout', () => {
    expect(() => parsed({ layout: 'sitewatch-centernet-v1' })).toThrow(/stride: required/);
    expect(() => parsed({ layout: 'sitewatch-centernet-v1', stride: 3 })).toThrow(
      /stride: 3 must divide the input size 1024×1024/,
    );
    expect(parsed({ layout: 'sitewatch-centernet-v1', stride: 4 }).stride).toBe(4);
  });

  it('rejects duplicate class names and a non-slug id', () => {
    expect(() => parsed({ classes: ['car', 'car'] })).toThrow(/classes: names must be unique/);
    expect(() => parsed({ id: 'My Model' })).toThrow(/id:.*slug/);
  });
});

describe('checkOutputShapes', () => {
  it('accepts the implied YOLO shapes, dynamic dimensions included', () => {
    expect(() => {
      checkOutputShapes(parsed(), [{ name: 'output0', dims: [1, 9, 21504] }]);
    }).not.toThrow();
    expect(() => {
      checkOutputShapes(parsed(), [{ name: 'output0', dims: [-1, 9, -1] }]);
    }).not.toThrow();
    const detect = parsed({ layout: 'yolov8-detect' });
    expect(() => {
      checkOutputShapes(detect, [{ name: 'o', dims: [1, 8, 8400] }]);
    }).not.toThrow();
  });

  it('names the model dims and what the class count implies', () => {
    const error = errorOf(() => {
      checkOutputShapes(parsed(), [{ name: 'output0', dims: [1, 20, 21504] }]);
    });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      'descriptor "sitewatch-vehicles" has 4 classes so yolov8-obb expects [B, 9, N]; the model outputs [1, 20, 21504]',
    );
    expect(() => {
      checkOutputShapes(parsed({ layout: 'yolov8-detect' }), [{ name: 'o', dims: [1, 9, 8400] }]);
    }).toThrow(/4 classes so yolov8-detect expects \[B, 8, N\]; the model outputs \[1, 9, 8400\]/);
  });

  it('rejects a YOLO model with several outputs', () => {
    expect(() => {
      checkOutputShapes(parsed(), [
        { name: 'a', dims: [1, 9, 5] },
        { name: 'b', dims: [1, 9, 5] },
      ]);
    }).toThrow(
      /expects one output \[B, 9, N\]; the model has 2 outputs \(a \[1, 9, 5\], b \[1, 9, 5\]\)/,
    );
  });

  it('checks the centernet outputs by name', () => {
    const d = parsed({
      layout: 'sitewatch-centernet-v1',
      stride: 4,
      inputWidth: 256,
      inputHeight: 128,
    });
    const good = [
      { name: 'heatmap', dims: [-1, 4, 32, 64] },
      { name: 'box', dims: [-1, 4, 32, 64] },
      { name: 'angle', dims: [-1, 2, 32, 64] },
    ];
    expect(() => {
      checkOutputShapes(d, good);
    }).not.toThrow();
    expect(() => {
      checkOutputShapes(d, good.slice(0, 2));
    }).toThrow(
      /expects an output named "angle" \[B, 2, 32, 64\]; the model outputs heatmap \[\?, 4, 32, 64\], box/,
    );
    expect(() => {
      checkOutputShapes(d, [{ name: 'heatmap', dims: [1, 5, 32, 64] }, ...good.slice(1)]);
    }).toThrow(/4 classes.*expects "heatmap" \[B, 4, 32, 64\]; the model outputs \[1, 5, 32, 64\]/);
  });
});

describe('checkInputShape', () => {
  it('accepts [B, bands, H, W] with dynamic dimensions', () => {
    expect(() => {
      checkInputShape(parsed(), [1, 3, 1024, 1024]);
    }).not.toThrow();
    expect(() => {
      checkInputShape(parsed(), [-1, 3, -1, -1]);
    }).not.toThrow();
  });

  it('names both shapes for a wrong rank, band count or size', () => {
    expect(() => {
      checkInputShape(parsed(), [3, 1024, 1024]);
    }).toThrow(
      /rank 4.*implies \[B, 3, 1024, 1024\]; the model's input is \[3, 1024, 1024\] \(rank 3\)/,
    );
    expect(() => {
      checkInputShape(parsed(), [1, 4, 1024, 1024]);
    }).toThrow(
      /has 3 bands \(red, green, blue\).*should be \[B, 3, 1024, 1024\]; the model's input is \[1, 4, 1024, 1024\]/,
    );
    expect(() => {
      checkInputShape(parsed(), [1, 3, 640, 640]);
    }).toThrow(/\[1, 3, 640, 640\]/);
  });
});
