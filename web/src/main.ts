/**
 * The workbench: log in, pick a site (searchable list), see its polygons and zones on the map,
 * choose two dates from its image timeline and compare them by swipe or blink.
 * Keyboard: `b` blink, `s` swipe, `[` / `]` previous / next date for B, `?` help.
 */
import 'ol/ol.css';
import './style.css';
import { acquiredAtOf, api, ApiError, type Image, type Site } from './api.ts';
import { MapView } from './map-view.ts';

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
const timelineEmpty = element('timeline-empty');
const dateA = input('date-a', HTMLSelectElement);
const dateB = input('date-b', HTMLSelectElement);
const swipe = input('swipe', HTMLInputElement);
const help = element('help');
const modeSwipe = input('mode-swipe', HTMLButtonElement);
const modeBlink = input('mode-blink', HTMLButtonElement);
const blinkState = element('blink-state');
const detectionsToggle = input('overlay-detections', HTMLInputElement);
const detectionsState = element('detections-state');

let mapView: MapView | undefined;
let sites: Site[] = [];
let selected: Site | undefined;
let images: Image[] = [];

function showError(error: unknown): void {
  status.textContent = error instanceof Error ? error.message : String(error);
}

function theMap(): MapView {
  mapView ??= new MapView(element('map'));
  return mapView;
}

async function enter(userName: string, role: string): Promise<void> {
  loginForm.hidden = true;
  workbench.hidden = false;
  element('user').textContent = `${userName} (${role})`;
  theMap().map.updateSize();
  await loadSites();
}

function leave(): void {
  workbench.hidden = true;
  loginForm.hidden = false;
  loginForm.reset();
}

async function loadSites(): Promise<void> {
  sites = await api.sites(siteSearch.value.trim());
  siteList.replaceChildren(
    ...sites.map((site) => {
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
  theMap().showSites(sites, selected);
  status.textContent = `${sites.length} site${sites.length === 1 ? '' : 's'}`;
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
  showDates();
  status.textContent = `${site.name}: ${images.length} image${images.length === 1 ? '' : 's'}`;
}

function showDates(): void {
  const a = images[dateA.selectedIndex];
  const b = images[dateB.selectedIndex];
  theMap().setImages(a, b);
  blinkState.textContent = '';
  showDetections(b).catch(showError);
}

/** The newest detection run of image B, when the overlay is on. */
async function showDetections(b: Image | undefined): Promise<void> {
  theMap().showDetections(undefined);
  detectionsState.textContent = '';
  if (!detectionsToggle.checked || b === undefined) return;
  const [run] = await api.detectionRuns(b.id);
  if (run === undefined) {
    detectionsState.textContent = 'No detection run for this date.';
    return;
  }
  theMap().showDetections(await api.detections(run.id));
  detectionsState.textContent = `${run.detectionCount} detections (${run.model.id} ${run.model.version})`;
}

function setMode(mode: 'swipe' | 'blink'): void {
  theMap().setMode(mode);
  setModeButtons();
  blinkState.textContent = mode === 'blink' ? 'Showing B' : '';
}

function blink(): void {
  const shown = theMap().blink();
  setModeButtons();
  blinkState.textContent = `Showing ${shown}`;
}

function setModeButtons(): void {
  const mode = theMap().getMode();
  swipe.hidden = mode !== 'swipe';
  modeSwipe.setAttribute('aria-pressed', String(mode === 'swipe'));
  modeBlink.setAttribute('aria-pressed', String(mode === 'blink'));
}

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
    '[': () => {
      stepB(-1);
    },
    ']': () => {
      stepB(1);
    },
    '?': () => {
      help.hidden = !help.hidden;
    },
    Escape: () => {
      help.hidden = true;
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
