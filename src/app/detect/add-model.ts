/**
 * Use case: add a user's ONNX detector to the registry (`sitewatch models add`). The
 * descriptor is validated, then the model is loaded and its real input and output shapes are
 * checked against the descriptor, then run once on a zero tile (so dynamic output dimensions
 * are checked too); only then are the files copied. A bad model copies nothing.
 */
import {
  checkInputShape,
  checkOutputShapes,
  parseModelDescriptor,
} from '../../core/detect/descriptor.ts';
import { TOPHAT_BASELINE_ID } from '../../core/detect/tophat.ts';
import { ConflictError, ValidationError } from '../../core/errors.ts';
import type { DetectorFactory, InstalledModel, ModelRegistry } from '../ports.ts';

export interface AddModelDeps {
  readonly models: ModelRegistry;
  readonly detectors: DetectorFactory;
}

export interface AddModelRequest {
  readonly modelPath: string;
  /** Path of the descriptor JSON; default the one beside the model (`<stem>.json`, `descriptor.json`). */
  readonly descriptorPath?: string | undefined;
}

/**
 * @throws ValidationError for a missing or invalid descriptor or a model whose shapes do not
 *   fit it (naming both); CorruptFileError for a file onnxruntime cannot load; ConflictError
 *   when the id is taken.
 */
export async function addModel(
  deps: AddModelDeps,
  request: AddModelRequest,
): Promise<InstalledModel> {
  const descriptorPath =
    request.descriptorPath ?? (await deps.models.descriptorBeside(request.modelPath));
  if (descriptorPath === undefined) {
    throw new ValidationError(
      `model ${request.modelPath}: no descriptor given and none beside it; pass --descriptor FILE (see docs/models.md)`,
    );
  }
  const json = await deps.models.readDescriptor(descriptorPath);
  const descriptor = parseModelDescriptor(json, descriptorPath);
  if (descriptor.id === TOPHAT_BASELINE_ID) {
    throw new ConflictError(
      `model id "${TOPHAT_BASELINE_ID}" is reserved for the built-in baseline`,
    );
  }
  const detector = await deps.detectors.open(request.modelPath);
  try {
    const input = detector.inputs[0];
    if (input === undefined || detector.inputs.length !== 1) {
      throw new ValidationError(
        `model ${request.modelPath} must take exactly one input [B, C, H, W]; it has ${detector.inputs.length} (${detector.inputs.map((i) => i.name).join(', ')})`,
      );
    }
    checkInputShape(descriptor, input.dims);
    checkOutputShapes(descriptor, detector.outputs);
    const batch = (input.dims[0] ?? -1) > 0 ? (input.dims[0] ?? 1) : 1;
    const channels = descriptor.bands.length;
    const dims = [batch, channels, descriptor.inputHeight, descriptor.inputWidth] as const;
    const outputs = await detector.run(
      new Float32Array(dims[0] * dims[1] * dims[2] * dims[3]),
      dims,
    );
    checkOutputShapes(descriptor, outputs);
  } finally {
    await detector.close();
  }
  return deps.models.install(request.modelPath, json, descriptor.id);
}
