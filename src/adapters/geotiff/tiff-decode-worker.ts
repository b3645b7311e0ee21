/**
 * Decode worker of {@link ./tiff-decode-pool.ts}: reads the blocks of one batch from the file
 * itself (so no compressed bytes cross threads) and decodes them straight into the window's
 * SharedArrayBuffers. Memory: one stored and one decoded block at a time.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { decodeBlockIntoWindow, outputViews } from './tiff-block-decoder.ts';
import type { DecodeBatch, DecodeReply } from './tiff-decode-pool.ts';

function readBlock(fd: number, offset: number, byteCount: number, label: string): Uint8Array {
  const bytes = new Uint8Array(byteCount);
  let done = 0;
  while (done < byteCount) {
    const read = readSync(fd, bytes, done, byteCount - done, offset + done);
    if (read === 0) {
      throw new Error(
        `${label} is truncated: the file ends ${byteCount - done} bytes before the block's end (byte ${offset + byteCount})`,
      );
    }
    done += read;
  }
  return bytes;
}

function decodeBatch(batch: DecodeBatch): void {
  const { grid, target, blocks } = batch;
  const views = outputViews(grid, target);
  const fd = openSync(grid.path, 'r');
  try {
    for (const block of blocks) {
      const label = `${grid.tiled ? 'tile' : 'strip'} ${block.index}`;
      const stored = readBlock(fd, block.offset, block.byteCount, label);
      decodeBlockIntoWindow(grid, target, views, block.index, stored);
    }
  } finally {
    closeSync(fd);
  }
}

const port = parentPort;
if (port === null) throw new Error('tiff-decode-worker.ts runs only as a worker thread');
port.on('message', (batch: DecodeBatch) => {
  let reply: DecodeReply;
  try {
    decodeBatch(batch);
    reply = { id: batch.id, ok: true };
  } catch (error) {
    reply = { id: batch.id, ok: false, message: (error as Error).message };
  }
  port.postMessage(reply);
});
