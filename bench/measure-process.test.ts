import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/core/errors.ts';
import { hasGnuTime, lastJsonLine, measureProcess, parseTimeVerbose } from './measure-process.ts';

const REPORT = `	Command being timed: "python3 x.py"
	User time (seconds): 12.50
	System time (seconds): 1.25
	Percent of CPU this job got: 95%
	Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.50
	Maximum resident set size (kbytes): 2048000
	Exit status: 0
`;

describe('parseTimeVerbose', () => {
  it('reads wall, CPU, peak RSS and exit status', () => {
    expect(parseTimeVerbose(REPORT)).toEqual({
      wallSeconds: 62.5,
      userSeconds: 12.5,
      systemSeconds: 1.25,
      peakRssBytes: 2048000 * 1024,
      exitStatus: 0,
    });
  });

  it('reads h:mm:ss wall clocks', () => {
    const report = REPORT.replace('1:02.50', '1:00:03');
    expect(parseTimeVerbose(report).wallSeconds).toBe(3603);
  });

  it('names a missing field', () => {
    const report = REPORT.replace(/.*Maximum resident.*\n/, '');
    expect(() => parseTimeVerbose(report)).toThrow(ValidationError);
    expect(() => parseTimeVerbose(report)).toThrow(/Maximum resident set size/);
  });
});

describe('lastJsonLine', () => {
  it('returns the last JSON object line, skipping other output', () => {
    expect(lastJsonLine('starting\n{"a": 1}\nnoise\n{"b": 2}\ndone\n')).toEqual({ b: 2 });
    expect(lastJsonLine('no json here\n[1, 2]\n')).toBeNull();
    expect(lastJsonLine('{"dx": NaN, "err_px": -Infinity}')).toEqual({ dx: null, err_px: null });
  });
});

describe.skipIf(!hasGnuTime())('measureProcess (needs /usr/bin/time)', () => {
  it('measures the peak memory a child touches and its output', () => {
    // The child fills 300 MB; its peak RSS must show it, and stdout comes back.
    const run = measureProcess(
      process.execPath,
      ['-e', 'const b = Buffer.alloc(300e6, 1); console.log(JSON.stringify({ n: b[1] }))'],
      { timeoutMs: 60_000 },
    );
    expect(run.failure).toBeNull();
    expect(run.exitStatus).toBe(0);
    expect(run.peakRssBytes).toBeGreaterThan(300e6);
    expect(lastJsonLine(run.stdout)).toEqual({ n: 1 });
    expect(run.command).toContain(' -e ');
  });

  it('reports a failing program instead of throwing', () => {
    const run = measureProcess('sh', ['-c', 'echo oops >&2; exit 3'], { timeoutMs: 60_000 });
    expect(run.failure).toBe('exit 3: oops');
    expect(run.exitStatus).toBe(3);
  });
});
