import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptFileError, UnsupportedError } from '../../core/errors.ts';
import {
  decodeDocument,
  encodeDocument,
  readStoredDocument,
  type DocumentSchema,
  type DocumentUpgrade,
} from './stored-document.ts';

const SEED = 20_240_501;

describe('encodeDocument / decodeDocument', () => {
  it('round-trips every double, NaN, infinities and -0 included', () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        const back = decodeDocument(encodeDocument({ value })) as { value: number };
        expect(Object.is(back.value, value)).toBe(true);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('round-trips nested JSON-like values with deep equality', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(decodeDocument(encodeDocument(value))).toEqual(value);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('leaves objects that merely resemble a tag alone', () => {
    const value = { a: { $float: 'nope' }, b: { $float: 'NaN', other: 1 } };
    expect(decodeDocument(encodeDocument(value))).toEqual(value);
  });
});

describe('readStoredDocument', () => {
  const schema: DocumentSchema = {
    kind: 'widget',
    currentVersion: 3,
    upgrades: new Map<number, DocumentUpgrade>([
      [1, (doc) => ({ ...doc, colour: doc.color, color: undefined })],
      [2, (doc) => ({ ...doc, sizeMeters: Number(doc.size) / 100 })],
    ]),
  };

  it('upgrades an old document step by step to the current version', () => {
    const doc = readStoredDocument('{"schemaVersion":1,"color":"red","size":250}', 'w1', schema);
    expect(doc).toMatchObject({ schemaVersion: 3, colour: 'red', sizeMeters: 2.5 });
  });

  it('refuses a newer document and one with no upgrade path, naming the id', () => {
    expect(() => readStoredDocument('{"schemaVersion":4}', 'w2', schema)).toThrow(UnsupportedError);
    const gappy: DocumentSchema = { ...schema, upgrades: new Map() };
    expect(() => readStoredDocument('{"schemaVersion":2}', 'w3', gappy)).toThrow(/w3/);
  });

  it('reports corrupt text, a non-object and a missing version as CorruptFileError', () => {
    for (const text of ['{oops', '[1,2]', '{"schemaVersion":"1"}', '{}']) {
      expect(() => readStoredDocument(text, 'w4', schema)).toThrow(CorruptFileError);
    }
  });
});
