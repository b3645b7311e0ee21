/**
 * The workbench: log in, pick a site (searchable list), see its polygons and zones on the map,
 * choose two dates from its image timeline and compare them by swipe, blink or side by side;
 * the time-series panel charts the site's observations per zone and metric. A compact timeline
 * (histogram and slider) picks B among hundreds of dates; the comparison of A → B shows its
 * registration report and change polygons; detections can be confirmed or rejected from the
 * map; annotations are drawn on B; the site and the comparison have Export downloads.
 * Keyboard: `b` blink, `s` swipe, `v` cycle swipe / blink / side by side, `[` / `]` previous /
 * next date for B, `n` / `N` next / previous detection, `?` help, Escape cancels a drawing.
 */
import 'ol/ol.css';
import './style.css';
import { acquiredAtOf, api, ApiError, type Image, type Site, type ZoneCounts } from './api.ts';
import { COMPARE_MODES, MapView, type CompareMode } from './map-view.ts';
import { AnnotationTools } from './annotation-tools.ts';
import { ChangesPanel } from './changes-panel.ts';
import { showDetectionCounts } from './detection-counts.ts';
import { DetectionReview } from './detection-review.ts';
import { ExportMenu } from './export-menu.ts';
import { Timeline } from './timeline.ts';
import { AssessmentPanel } from './assessment-panel.ts';
import { InboxPanel } from './inbox-panel.ts';
import { SeriesPanel } from './series-panel.ts';

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found;
}

function input<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = element(id);
  if (!(found instanceof type)) throw new Error(`#${id} is not a ${type.name}`);
  return found;
}

const loginForm = input('login', HTMLFormElement);
const loginError = element('login-error');
const workbench = element('workbench');
const status = element('status');
const siteSearch = input('site-search', HTMLInputElement);
const siteList = input('site-list', HTMLUListElement);
const siteMore = input('site-more', HTMLButtonElement);
const timelineEmpty = element('timeline-empty');
const dateA = input('date-a', HTMLSelectElement);
const dateB = input('date-b', HTMLSelectElement);
const swipe = input('swipe', HTMLInputElement);
const help = element('help');
const modeSwipe = input('mode-swipe', HTMLButtonElement);
const modeBlink = input('mode-blink', HTMLButtonElement);
const modeSide = input('mode-side', HTMLButtonElement);
const blinkState = element('blink-state');
const detectionsToggle = input('overlay-detections', HTMLInputElement);
const detectionsState = element('detections-state');
const detectionCounts = input('detection-counts', HTMLTableElement);

let mapView: MapView | undefined;
let annotationTools: AnnotationTools | undefined;
const changesPanel = new ChangesPanel(element('changes'), showError);
const exportMenu = new ExportMenu(element('site-export'));
const detectionReview = new DetectionReview(
  element('detection-review'),
  (pick, verdict) => {
    theMap().markDetection(pick.index, verdict);
  },
  showError,
);
const inboxPanel = new InboxPanel(element('inbox'), showError);
let sites: Site[] = [];
let selected: Site | undefined;
let images: Image[] = [];

function showError(error: unknown): void {
  status.textContent = error instanceof Error ? error.message : String(error);
}

function theMap(): MapView {
  if (mapView !== undefined) return mapView;
  const view = new MapView(element('map'), element('map-b'));
  mapView = view;
  view.addOverlay(changesPanel.layer);
  const tools = new AnnotationTools(element('annotate'), view.map, showError);
  annotationTools = tools;
  view.addOverlay(tools.layer);
  view.map.on('singleclick', (event) => {
    if (!tools.isDrawing()) detectionReview.show(view.detectionAt(event.pixel));
  });
  return view;
}

function theTools(): AnnotationTools {
  theMap();
  if (annotationTools === undefined) throw new Error('the annotation tools are not set up');
  return annotationTools;
}

async function enter(userName: string, role: string): Promise<void> {
  loginForm.hidden = true;
  workbench.hidden = false;
  element('user').textContent = `${userName} (${role})`;
  theMap().map.updateSize();
  inboxPanel.refresh().catch(showError);
  await loadSites();
}

function leave(): void {
  workbench.hidden = true;
  loginForm.hidden = false;
  loginForm.reset();
}

/** Sites listed at a time: a 1,000-site catalog stays quick; "Show more" lists the next page. */
const SITE_PAGE = 200;
let sitesListed = 0;

async function loadSites(): Promise<void> {
  sites = await api.sites(siteSearch.value.trim());
  siteList.replaceChildren();
  sitesListed = 0;
  listMoreSites();
  theMap().showSites(sites, selected);
  status.textContent = `${sites.length} site${sites.length === 1 ? '' : 's'}`;
}

function listMoreSites(): void {
  const page = sites.slice(sitesListed, sitesListed + SITE_PAGE);
  sitesListed += page.length;
  siteList.append(
    ...page.map((site) => {
      const item = document.createElement('li');
      item.textContent = site.name;
      item.title = `${site.id} (${site.kind})`;
      item.dataset.siteId = site.id;
      item.setAttribute('role', 'option');
      item.setAttribute('aria-selected', String(site.id === selected?.id));
      item.addEventListener('click', () => {
        selectSite(site).catch(showError);
      });
      return item;
    }),
  );
  const left = sites.length - sitesListed;
  siteMore.hidden = left === 0;
  siteMore.textContent = `Show more (${left} of ${sites.length} not listed)`;
}

async function selectSite(site: Site): Promise<void> {
  selected = site;
  for (const item of siteList.querySelectorAll('li')) {
    item.setAttribute('aria-selected', String(item.dataset.siteId === site.id));
  }
  theMap().showSites(sites, site);
  theMap().fitSite(site);
  images = (await api.images(site.id)).sort((x, y) =>
    acquiredAtOf(x).localeCompare(acquiredAtOf(y)),
  );
  const options = (): HTMLOptionElement[] =>
    images.map((image) => new Option(acquiredAtOf(image).slice(0, 10), image.id));
  dateA.replaceChildren(...options());
  dateB.replaceChildren(...options());
  timelineEmpty.textContent = images.length === 0 ? 'No images of this site.' : '';
  dateA.selectedIndex = 0;
  dateB.selectedIndex = images.length - 1;
  timeline.show(images.map(acquiredAtOf), dateA.selectedIndex, dateB.selectedIndex);
  exportMenu.show(site.id);
  showDates();
  await seriesPanel.show(site);
  status.textContent = `${site.name}: ${images.length} image${images.length === 1 ? '' : 's'}`;
}

function showDates(): void {
  const a = images[dateA.selectedIndex];
  const b = images[dateB.selectedIndex];
  theMap().setImages(a, b);
  blinkState.textContent = '';
  timeline.mark(dateA.selectedIndex, dateB.selectedIndex);
  exportMenu.showImage(b?.id);
  detectionReview.show(undefined);
  showDetections(b).catch(showError);
  changesPanel.show(a, b).catch(showError);
  theTools()
    .show(b, selected?.id ?? null)
    .catch(showError);
}

/** Detections per class in each zone of the run (`all`: the whole site or image). */
function showCounts(counts: ZoneCounts | undefined): void {
  showDetectionCounts(detectionCounts, counts, (id) =>
    id === 'all' ? 'whole site' : (selected?.zones.find((zone) => zone.id === id)?.name ?? id),
  );
}

/** The newest detection run of image B, when the overlay is on. */
async function showDetections(b: Image | undefined): Promise<void> {
  theMap().showDetections(undefined);
  detectionsState.textContent = '';
  showCounts(undefined);
  if (!detectionsToggle.checked || b === undefined) return;
  const [run] = await api.detectionRuns(b.id);
  if (run === undefined) {
    detectionsState.textContent = 'No detection run for this date.';
    return;
  }
  const [collection, verdicts] = await Promise.all([
    api.detections(run.id),
    api.detectionVerdicts(run.id),
  ]);
  theMap().showDetections(collection);
  for (const [index, verdict] of verdicts) theMap().markDetection(index, verdict);
  detectionsState.textContent = `${run.detectionCount} detections (${run.model.id} ${run.model.version})`;
  showCounts(run.counts);
}

function setMode(mode: CompareMode): void {
  theMap().setMode(mode);
  setModeButtons();
  blinkState.textContent = mode === 'blink' ? 'Showing B' : '';
}

function blink(): void {
  const shown = theMap().blink();
  setModeButtons();
  blinkState.textContent = `Showing ${shown}`;
}

/** The next compare mode after the current one: swipe, blink, side by side, swipe… */
function cycleMode(): void {
  const index = COMPARE_MODES.indexOf(theMap().getMode());
  setMode(COMPARE_MODES[(index + 1) % COMPARE_MODES.length] ?? 'swipe');
}

function setModeButtons(): void {
  const mode = theMap().getMode();
  swipe.hidden = mode !== 'swipe';
  modeSwipe.setAttribute('aria-pressed', String(mode === 'swipe'));
  modeBlink.setAttribute('aria-pressed', String(mode === 'blink'));
  modeSide.setAttribute('aria-pressed', String(mode === 'side'));
}

/** Makes the image acquired nearest to `atIso` date B. */
function selectBNearest(atIso: string): void {
  const atMs = Date.parse(atIso);
  let best = -1;
  images.forEach((image, index) => {
    const distance = Math.abs(Date.parse(acquiredAtOf(image)) - atMs);
    const bestImage = images[best];
    if (
      bestImage === undefined ||
      distance < Math.abs(Date.parse(acquiredAtOf(bestImage)) - atMs)
    ) {
      best = index;
    }
  });
  if (best < 0) {
    status.textContent = `No image of this site to show for ${atIso.slice(0, 10)}.`;
    return;
  }
  dateB.selectedIndex = best;
  showDates();
}

const seriesPanel = new SeriesPanel(element('series'), selectBNearest, showError);

const timeline = new Timeline(element('timeline-strip'), (index) => {
  if (index < 0 || index >= images.length || index === dateB.selectedIndex) return;
  dateB.selectedIndex = index;
  showDates();
});

/** Selects the next (1) or previous (-1) detection by score for review. */
function stepDetection(delta: number): void {
  if (!detectionsToggle.checked) {
    status.textContent = 'Turn on the detections overlay to review detections.';
    return;
  }
  detectionReview.show(theMap().stepDetection(delta));
}

/** Shows a piece of evidence: its site, and its image as B when it has one. */
async function jumpTo(siteId: string, imageId: string | null): Promise<void> {
  if (!sites.some((site) => site.id === siteId)) {
    siteSearch.value = '';
    await loadSites();
  }
  const site = sites.find((candidate) => candidate.id === siteId);
  if (site === undefined) throw new Error(`no site "${siteId}" in the catalog`);
  await selectSite(site);
  const index = images.findIndex((image) => image.id === imageId);
  if (index >= 0) {
    dateB.selectedIndex = index;
    showDates();
  }
}

new AssessmentPanel(
  element('assessment'),
  (siteId, imageId) => {
    jumpTo(siteId, imageId).catch(showError);
  },
  showError,
);

function stepB(delta: number): void {
  const index = dateB.selectedIndex + delta;
  if (index < 0 || index >= images.length) return;
  dateB.selectedIndex = index;
  showDates();
}

function fieldOf(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}

loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(loginForm);
  loginError.textContent = '';
  api
    .login(fieldOf(data, 'name'), fieldOf(data, 'password'))
    .then((user) => enter(user.name, user.role))
    .catch((error: unknown) => {
      loginError.textContent =
        error instanceof ApiError ? error.message : `cannot log in: ${String(error)}`;
    });
});

element('logout').addEventListener('click', () => {
  api.logout().then(leave).catch(showError);
});

let searchTimer: number | undefined;
siteSearch.addEventListener('input', () => {
  window.clearTimeout(searchTimer);
  searchTimer = window.setTimeout(() => {
    loadSites().catch(showError);
  }, 200);
});

siteMore.addEventListener('click', listMoreSites);
dateA.addEventListener('change', showDates);
detectionsToggle.addEventListener('change', () => {
  showDetections(images[dateB.selectedIndex]).catch(showError);
});
dateB.addEventListener('change', showDates);
swipe.addEventListener('input', () => {
  theMap().setSwipe(Number(swipe.value) / 100);
});
modeSwipe.addEventListener('click', () => {
  setMode('swipe');
});
modeBlink.addEventListener('click', () => {
  setMode('blink');
});
modeSide.addEventListener('click', () => {
  setMode('side');
});
element('help-button').addEventListener('click', () => {
  help.hidden = !help.hidden;
});

document.addEventListener('keydown', (event) => {
  if (workbench.hidden || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  // Typing in a text field is not a shortcut (sliders, checkboxes and lists are not text).
  if (target instanceof HTMLInputElement && ['text', 'search', 'password'].includes(target.type)) {
    return;
  }
  const actions: Record<string, () => void> = {
    b: blink,
    s: () => {
      setMode('swipe');
    },
    v: cycleMode,
    '[': () => {
      stepB(-1);
    },
    ']': () => {
      stepB(1);
    },
    n: () => {
      stepDetection(1);
    },
    N: () => {
      stepDetection(-1);
    },
    '?': () => {
      help.hidden = !help.hidden;
    },
    Escape: () => {
      help.hidden = true;
      theTools().stop();
    },
  };
  const action = actions[event.key];
  if (action === undefined) return;
  event.preventDefault();
  action();
});

api
  .currentUser()
  .then(async (user) => {
    if (user === undefined) leave();
    else await enter(user.name, user.role);
  })
  .catch((error: unknown) => {
    leave();
    loginError.textContent = error instanceof Error ? error.message : String(error);
  });
