/** `sitewatch models add|list`: the detectors `detect` can use. */
import type { Command } from 'commander';
import { addModel } from '../../../app/detect/add-model.ts';
import type { InstalledModel } from '../../../app/ports.ts';
import { printJson, withSitewatch, type Io } from '../context.ts';
import { formatTable } from '../format.ts';

/** The JSON shape of a model in CLI output. */
export function modelJson(model: InstalledModel) {
  if (model.kind === 'tophat') {
    return {
      id: model.id,
      version: model.version,
      kind: model.kind,
      origin: model.origin,
      classes: model.classes,
      description: model.description,
      gsdMeters: null,
      layout: null,
      modelPath: null,
      sha256: null,
    };
  }
  const d = model.descriptor;
  return {
    id: model.id,
    version: model.version,
    kind: model.kind,
    origin: model.origin,
    classes: d.classes,
    description: d.description,
    gsdMeters: d.gsdMeters,
    layout: d.layout,
    inputWidth: d.inputWidth,
    inputHeight: d.inputHeight,
    bands: d.bands,
    licence: d.licence,
    modelPath: model.modelPath,
    descriptorPath: model.descriptorPath,
    sha256: model.sha256,
    sizeBytes: model.sizeBytes,
  };
}

function printModels(io: Io, models: readonly InstalledModel[]): void {
  io.out(
    formatTable(models, [
      { header: 'id', value: (m) => m.id },
      { header: 'version', value: (m) => m.version },
      { header: 'kind', value: (m) => (m.kind === 'onnx' ? m.descriptor.layout : 'baseline') },
      { header: 'origin', value: (m) => m.origin },
      {
        header: 'gsd',
        value: (m) => (m.kind === 'onnx' ? `${m.descriptor.gsdMeters} m` : 'any'),
        align: 'right',
      },
      {
        header: 'classes',
        value: (m) => (m.kind === 'onnx' ? m.descriptor.classes : m.classes).join(','),
      },
    ]),
  );
}

export function registerModelsCommands(program: Command, io: Io): void {
  const models = program.command('models').description('object detection models');

  models
    .command('add')
    .description(
      'check an ONNX detector against its descriptor (shapes, classes, a trial run) and install it into the home',
    )
    .argument('<model>', 'the .onnx file')
    .option(
      '--descriptor <file>',
      'descriptor JSON (default: <model>.json or descriptor.json beside the model); see docs/models.md',
    )
    .option('--json', 'print the installed model as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  $ yolo export model=yolo11n-obb.pt format=onnx imgsz=1024\n  $ sitewatch models add yolo11n-obb.onnx --descriptor yolo11n-obb.json',
    )
    .action(
      async (
        modelPath: string,
        options: { descriptor?: string; json?: boolean },
        command: Command,
      ) => {
        await withSitewatch(command, async (sw) => {
          const model = await addModel(sw.addModelDeps, {
            modelPath,
            descriptorPath: options.descriptor,
          });
          if (options.json === true) printJson(io, modelJson(model));
          else {
            io.out(`installed model ${model.id} ${model.version}`);
            printModels(io, [model]);
          }
        });
      },
    );

  models
    .command('list')
    .description('models detect can use: built-in, shipped and installed')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withSitewatch(command, async (sw) => {
        const list = await sw.models.list();
        if (options.json === true) printJson(io, list.map(modelJson));
        else printModels(io, list);
      });
    });
}
