import type { Clock } from '../../app/ports.ts';

export class SystemClock implements Clock {
  nowIso(): string {
    return new Date().toISOString();
  }
}
