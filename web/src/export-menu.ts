/**
 * The site's Export menu: a layer (detections, changes, annotations, observations, the site)
 * in a format (GeoJSON, GeoPackage, KML, CSV), downloaded as the file `sitewatch export --site`
 * writes; an annotated figure of the site on image B (PNG, as `sitewatch figure`) and the
 * site's brief (PDF, as `sitewatch report`). The comparison's rasters are offered by the
 * changes panel.
 */
import { siteBriefUrl, siteExportUrl, siteFigureUrl } from './api.ts';

export class ExportMenu {
  private readonly what: HTMLSelectElement;
  private readonly format: HTMLSelectElement;
  private readonly link: HTMLAnchorElement;
  private readonly figure: HTMLAnchorElement;
  private readonly brief: HTMLAnchorElement;
  private siteId: string | undefined;

  constructor(private readonly root: HTMLElement) {
    const what = root.querySelector('select.export-what');
    const format = root.querySelector('select.export-format');
    const link = root.querySelector('a.export-download');
    const figure = root.querySelector('a.export-figure');
    const brief = root.querySelector('a.export-brief');
    if (
      !(what instanceof HTMLSelectElement) ||
      !(format instanceof HTMLSelectElement) ||
      !(link instanceof HTMLAnchorElement) ||
      !(figure instanceof HTMLAnchorElement) ||
      !(brief instanceof HTMLAnchorElement)
    ) {
      throw new Error(`#${root.id} lacks its layer and format choices or its links`);
    }
    this.what = what;
    this.format = format;
    this.link = link;
    this.figure = figure;
    this.brief = brief;
    for (const select of [what, format]) {
      select.addEventListener('change', () => {
        this.update();
      });
    }
  }

  /** Offers the exports of `siteId` (hidden without a site). */
  show(siteId: string | undefined): void {
    this.siteId = siteId;
    this.root.hidden = siteId === undefined;
    if (siteId !== undefined) this.brief.href = siteBriefUrl(siteId);
    this.update();
    this.showImage(undefined);
  }

  /** The figure shows image B (no figure without one). */
  showImage(imageId: string | undefined): void {
    this.figure.hidden = this.siteId === undefined || imageId === undefined;
    if (this.siteId !== undefined && imageId !== undefined) {
      this.figure.href = siteFigureUrl(this.siteId, imageId);
    }
  }

  private update(): void {
    if (this.siteId === undefined) return;
    this.link.href = siteExportUrl(this.siteId, this.what.value, this.format.value);
    this.link.textContent = `Download ${this.what.value}.${this.format.value}`;
  }
}
