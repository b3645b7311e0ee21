/**
 * The alerts inbox (GET /api/alerts, newest first, with each channel's delivery state) and the
 * jobs panel (GET /api/jobs: state, a progress bar, cancel for queued and running jobs). Both
 * load when asked and, while a job is queued or running, every few seconds.
 */
import { api, type Alert, type Job } from './api.ts';

const POLL_MS = 3000;

function line(text: string, className = ''): HTMLLIElement {
  const item = document.createElement('li');
  item.textContent = text;
  item.className = className;
  return item;
}

export class InboxPanel {
  private readonly alerts: HTMLUListElement;
  private readonly jobs: HTMLUListElement;
  private timer: number | undefined;

  constructor(
    root: HTMLElement,
    private readonly onError: (error: unknown) => void,
  ) {
    const alerts = root.querySelector('ul.alerts');
    const jobs = root.querySelector('ul.jobs');
    const refresh = root.querySelector('button.refresh');
    if (!(alerts instanceof HTMLUListElement) || !(jobs instanceof HTMLUListElement) || !refresh) {
      throw new Error(`#${root.id} lacks its alert list, job list or refresh button`);
    }
    this.alerts = alerts;
    this.jobs = jobs;
    refresh.addEventListener('click', () => {
      this.refresh().catch(this.onError);
    });
  }

  async refresh(): Promise<void> {
    window.clearTimeout(this.timer);
    const [alerts, jobs] = await Promise.all([
      api.alerts().catch((error: unknown) => error),
      api.jobs().catch((error: unknown) => error),
    ]);
    this.alerts.replaceChildren(
      ...(alerts instanceof Error
        ? [line(`Alerts unavailable: ${alerts.message}`, 'error')]
        : this.alertLines(alerts as Alert[])),
    );
    this.jobs.replaceChildren(
      ...(jobs instanceof Error
        ? [line(`Jobs unavailable: ${jobs.message}`, 'error')]
        : this.jobLines(jobs as Job[])),
    );
    const active =
      Array.isArray(jobs) &&
      (jobs as Job[]).some((job) => job.state === 'queued' || job.state === 'running');
    if (active) {
      this.timer = window.setTimeout(() => {
        this.refresh().catch(this.onError);
      }, POLL_MS);
    }
  }

  private alertLines(alerts: readonly Alert[]): HTMLLIElement[] {
    if (alerts.length === 0) return [line('No alerts.')];
    return alerts.map(({ alert, deliveries }) => {
      const item = line(
        `${alert.severity} · ${alert.ruleId} · ${alert.factAt.slice(0, 10)} ` +
          `(${deliveries.map((delivery) => `${delivery.channel}: ${delivery.state}`).join(', ')})`,
        `alert ${alert.severity}`,
      );
      item.dataset.alertId = alert.id;
      return item;
    });
  }

  private jobLines(jobs: readonly Job[]): HTMLLIElement[] {
    if (jobs.length === 0) return [line('No jobs.')];
    return jobs.map((job) => {
      const item = line(`${job.kind} ${job.state}`, `job ${job.state}`);
      item.dataset.jobId = job.id;
      if (job.progress !== null) {
        const bar = document.createElement('progress');
        bar.max = Math.max(1, job.progress.total);
        bar.value = job.progress.done;
        bar.title = `${job.progress.stage}: ${job.progress.done} / ${job.progress.total}`;
        item.append(' ', bar);
      }
      if (job.error !== null) item.title = job.error;
      if ((job.state === 'queued' || job.state === 'running') && !job.cancelRequested) {
        const cancel = document.createElement('button');
        cancel.type = 'button';
        cancel.textContent = 'Cancel';
        cancel.addEventListener('click', () => {
          api
            .cancelJob(job.id)
            .then(() => this.refresh())
            .catch(this.onError);
        });
        item.append(' ', cancel);
      }
      return item;
    });
  }
}
