/** The `observations` row (one JSON document each) as both SQL stores read it. */
import { OBSERVATION_SCHEMA_VERSION, type Observation } from '../../core/activity/observation.ts';
import { readStoredDocument, type DocumentSchema } from '../sqlite/stored-document.ts';

const OBSERVATION_SCHEMA: DocumentSchema = {
  kind: 'observation',
  currentVersion: OBSERVATION_SCHEMA_VERSION,
  upgrades: new Map(),
};

export interface ObservationRow {
  id: string;
  doc: string;
}

export function observationFromRow(row: ObservationRow): Observation {
  return readStoredDocument(row.doc, row.id, OBSERVATION_SCHEMA) as unknown as Observation;
}
