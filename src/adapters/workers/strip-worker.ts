/**
 * Entry of a strip worker thread: runs the kernels of app/compare/strip-kernels.ts on the
 * messages of {@link WorkerStripRunner} and answers with the result (its buffers transferred)
 * or the error's name, code and message.
 */
import { parentPort } from 'node:worker_threads';
import { runStripKernel } from '../../app/compare/in-thread-strips.ts';
import type { StripKernelName } from '../../app/compare/strip-kernels.ts';
import { SitewatchError } from '../../core/errors.ts';
import { transferableBuffers, type WorkerReply, type WorkerRequest } from './worker-messages.ts';

const port = parentPort;
if (port === null) throw new Error('strip-worker.ts must run in a worker thread');

port.on('message', (message: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const output: unknown = runStripKernel(
      message.kernel as StripKernelName,
      message.input as never,
    );
    reply = { id: message.id, ok: true, output };
    port.postMessage(reply, transferableBuffers(output));
  } catch (error) {
    reply = {
      id: message.id,
      ok: false,
      error: {
        name: error instanceof Error ? error.name : 'Error',
        code: error instanceof SitewatchError ? error.code : null,
        message: error instanceof Error ? error.message : String(error),
      },
    };
    port.postMessage(reply);
  }
});
