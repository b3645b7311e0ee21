/**
 * Confirming or rejecting one detection from the map: click a box (or step through them by
 * score with `n` / `N`), type a reason, confirm or reject. The review is recorded as the
 * caller's (POST /api/reviews, target `<run id>#<index>`) and its verdict marked on the box.
 */
import { api } from './api.ts';
import type { DetectionPick } from './map-view.ts';

function part<T extends Element>(root: HTMLElement, selector: string, type: new () => T): T {
  const found = root.querySelector(selector);
  if (!(found instanceof type)) throw new Error(`#${root.id} lacks its ${selector}`);
  return found;
}

export class DetectionReview {
  private readonly title: HTMLElement;
  private readonly reason: HTMLInputElement;
  private readonly state: HTMLElement;
  private picked: DetectionPick | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly onReviewed: (pick: DetectionPick, verdict: 'confirm' | 'reject') => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.title = part(root, '.picked', HTMLElement);
    this.reason = part(root, 'input.detection-reason', HTMLInputElement);
    this.state = part(root, '.review-state', HTMLElement);
    for (const verdict of ['confirm', 'reject'] as const) {
      part(root, `button.${verdict}`, HTMLButtonElement).addEventListener('click', () => {
        this.review(verdict).catch(this.onError);
      });
    }
  }

  /** Shows the picked detection (or hides the panel). */
  show(pick: DetectionPick | undefined): void {
    this.picked = pick;
    this.root.hidden = pick === undefined;
    this.state.textContent = '';
    if (pick === undefined) return;
    this.root.dataset.target = `${pick.runId}#${pick.index}`;
    this.title.textContent = `${pick.className} ${pick.score.toFixed(2)} (#${pick.index})`;
  }

  private async review(verdict: 'confirm' | 'reject'): Promise<void> {
    const pick = this.picked;
    if (pick === undefined) return;
    const reason = this.reason.value.trim();
    if (reason === '') {
      this.state.textContent = `Type a reason to ${verdict} this detection.`;
      this.reason.focus();
      return;
    }
    const review = await api.reviewDetection(`${pick.runId}#${pick.index}`, verdict, reason);
    this.state.textContent = `${verdict === 'confirm' ? 'confirmed' : 'rejected'} by ${review.author}: ${review.reason}`;
    this.reason.value = '';
    this.onReviewed(pick, verdict);
  }
}
