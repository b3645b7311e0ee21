import { describe, expect, it } from 'vitest';
import { ensureDebianPackages, probe, runCommand } from './debian-tools.ts';

describe('runCommand', () => {
  it('returns output on success, and a reason on failure or timeout without throwing', async () => {
    const ok = await runCommand('sh', ['-c', 'echo hi'], 5000);
    expect(ok).toMatchObject({ ok: true, stdout: 'hi\n', failure: null });
    const failed = await runCommand('sh', ['-c', 'echo boom >&2; exit 3'], 5000);
    expect(failed.ok).toBe(false);
    expect(failed.failure).toMatch(/exit 3: boom/);
    const slow = await runCommand('sleep', ['5'], 200);
    expect(slow.failure).toMatch(/timed out/);
    expect(slow.seconds).toBeLessThan(4);
  });
});

describe('probe and ensureDebianPackages', () => {
  it('probes exit status and installs nothing when the tool is present', () => {
    expect(probe('sh', ['-c', 'exit 0'])).toBe(true);
    expect(probe('sh', ['-c', 'exit 1'])).toBe(false);
    expect(ensureDebianPackages('sh', ['never-installed'], () => true)).toBeNull();
  });
});
