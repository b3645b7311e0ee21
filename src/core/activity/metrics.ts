/**
 * Metrics an observation can carry, as descriptors in a registry: what the value means, its
 * kind (count, fraction, area, boolean fact), the family that sets how fine the imagery must
 * be to observe it, and the floor on the MAD used for anomaly scores (in the metric's units).
 * A metric plugin adds a descriptor; nothing else switches on metric names.
 */

/** What a metric's value is. Booleans are facts (`crane-present`); the rest are numbers. */
export type MetricKind = 'count' | 'fraction' | 'area' | 'boolean';

/**
 * Sets the ground sample distance needed to observe a metric (see
 * `MAX_GSD_METERS_BY_FAMILY` in observability.ts).
 */
export type MetricFamily = 'vehicle' | 'structure' | 'change';

export interface MetricDescriptor {
  /** Slug used in observations and playbook conditions, e.g. `vehicles`, `crane-present`. */
  readonly id: string;
  readonly kind: MetricKind;
  readonly family: MetricFamily;
  readonly description: string;
  /** Smallest MAD used in an anomaly score, in the metric's units (a flat series has MAD 0). */
  readonly madFloor: number;
  /**
   * Detector classes whose detections this count sums (see derive-counts.ts); a detection run
   * yields an observation of the metric when its model knows at least one of them.
   */
  readonly detectionClasses?: readonly string[];
}

/** The metrics sitewatch knows without plugins. */
export const BUILT_IN_METRICS: readonly MetricDescriptor[] = [
  {
    id: 'vehicles',
    kind: 'count',
    family: 'vehicle',
    description: 'vehicles of any class counted in the zone',
    madFloor: 1,
    detectionClasses: [
      'vehicle',
      'car',
      'small-vehicle',
      'van',
      'bus',
      'truck',
      'large-vehicle',
      'armoured-vehicle',
    ],
  },
  {
    id: 'trucks',
    kind: 'count',
    family: 'vehicle',
    description: 'trucks and other large vehicles counted in the zone',
    madFloor: 1,
    detectionClasses: ['truck', 'large-vehicle', 'bus'],
  },
  {
    id: 'armoured-vehicles',
    kind: 'count',
    family: 'vehicle',
    description: 'armoured vehicles counted in the zone',
    madFloor: 1,
    detectionClasses: ['armoured-vehicle'],
  },
  {
    id: 'ships',
    kind: 'count',
    family: 'vehicle',
    description: 'ships and boats counted in the zone (small boats need vehicle-grade imagery)',
    madFloor: 1,
    detectionClasses: ['ship', 'boat'],
  },
  {
    id: 'aircraft',
    kind: 'count',
    family: 'vehicle',
    description: 'aircraft (planes and helicopters) counted in the zone',
    madFloor: 1,
    detectionClasses: ['plane', 'aircraft', 'helicopter'],
  },
  {
    id: 'rail-cars',
    kind: 'count',
    family: 'vehicle',
    description: 'rail cars counted in the zone',
    madFloor: 1,
    detectionClasses: ['rail-car'],
  },
  {
    id: 'cranes',
    kind: 'count',
    family: 'structure',
    description: 'cranes counted in the zone',
    madFloor: 0.5,
    detectionClasses: ['crane'],
  },
  {
    id: 'crane-present',
    kind: 'boolean',
    family: 'structure',
    description: 'at least one crane is standing in the zone',
    madFloor: 0.5,
  },
  {
    id: 'construction-activity',
    kind: 'boolean',
    family: 'structure',
    description: 'construction, dismantling or reassembly of structures is visible in the zone',
    madFloor: 0.5,
  },
  {
    id: 'changed-fraction',
    kind: 'fraction',
    family: 'change',
    description: 'share of the zone changed since the previous usable image, 0 to 1',
    madFloor: 0.005,
  },
  {
    id: 'changed-area-m2',
    kind: 'area',
    family: 'change',
    description: 'area of the zone changed since the previous usable image, m²',
    madFloor: 25,
  },
  {
    id: 'objects-appeared',
    kind: 'count',
    family: 'vehicle',
    description: 'vehicle-sized objects present now that were not in the previous usable image',
    madFloor: 1,
  },
  {
    id: 'objects-disappeared',
    kind: 'count',
    family: 'vehicle',
    description: 'vehicle-sized objects in the previous usable image that are gone now',
    madFloor: 1,
  },
  {
    id: 'structures-appeared',
    kind: 'count',
    family: 'structure',
    description: 'structure-sized objects present now that were not in the previous usable image',
    madFloor: 0.5,
  },
  {
    id: 'structures-disappeared',
    kind: 'count',
    family: 'structure',
    description: 'structure-sized objects in the previous usable image that are gone now',
    madFloor: 0.5,
  },
  {
    id: 'structure-changes',
    kind: 'count',
    family: 'structure',
    description:
      'structure-sized changed patches since the previous usable image with no detected object to explain them',
    madFloor: 0.5,
  },
];

/** Metric descriptors by id. */
export class MetricRegistry {
  readonly #byId: ReadonlyMap<string, MetricDescriptor>;

  constructor(descriptors: readonly MetricDescriptor[] = BUILT_IN_METRICS) {
    const byId = new Map<string, MetricDescriptor>();
    for (const descriptor of descriptors) byId.set(descriptor.id, descriptor);
    this.#byId = byId;
  }

  get(id: string): MetricDescriptor | undefined {
    return this.#byId.get(id);
  }

  /** Every id, sorted. */
  ids(): string[] {
    return [...this.#byId.keys()].sort();
  }

  /** Every descriptor, by id. */
  list(): MetricDescriptor[] {
    return this.ids().flatMap((id) => {
      const descriptor = this.#byId.get(id);
      return descriptor === undefined ? [] : [descriptor];
    });
  }
}
