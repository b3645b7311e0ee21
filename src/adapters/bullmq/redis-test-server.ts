/**
 * A private redis-server for tests, on a free port, never the shared one: started and stopped
 * by the test (the restart test restarts it). With `persist`, it keeps an append-only file in
 * its own folder, fsynced on every write, so a restart loses nothing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether redis-server is installed (tests skip with a message when it is not). */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

export class RedisTestServer {
  readonly port: number;
  readonly #dir: string;
  readonly #persist: boolean;
  #process: ChildProcess | null = null;

  private constructor(port: number, persist: boolean) {
    this.port = port;
    this.#persist = persist;
    this.#dir = mkdtempSync(join(tmpdir(), 'sitewatch-redis-'));
  }

  static async start(options: { persist?: boolean } = {}): Promise<RedisTestServer> {
    const server = new RedisTestServer(await freePort(), options.persist === true);
    await server.#launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async #launch(): Promise<void> {
    const persistence = this.#persist
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '']
      : ['--appendonly', 'no', '--save', ''];
    this.#process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.#dir, ...persistence],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 200; i++) {
      if (await answers(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }

  async #halt(): Promise<void> {
    const child = this.#process;
    this.#process = null;
    if (child === null || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** Stops it (SIGTERM: the append-only file is complete) and starts it again on the same port. */
  async restart(downMs = 300): Promise<void> {
    await this.#halt();
    await new Promise((r) => setTimeout(r, downMs));
    await this.#launch();
  }

  async stop(): Promise<void> {
    await this.#halt();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
