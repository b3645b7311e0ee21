/** Reading JSON or YAML files given on the command line (playbooks, observation lists). */
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../../core/errors.ts';
import { readJsonFile, readTextFile } from './context.ts';

/**
 * Parses a `.json` file as JSON and anything else (`.yaml`, `.yml`) as YAML 1.2.
 * @throws ValidationError naming the path (and for YAML the line and column) when it cannot
 *   be read or parsed.
 */
export function readStructuredFile(path: string): unknown {
  if (path.toLowerCase().endsWith('.json')) return readJsonFile(path);
  const text = readTextFile(path);
  try {
    return parseYaml(text, { prettyErrors: true }) as unknown;
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0] ?? '';
    throw new ValidationError(`${path}: not valid YAML (${detail})`, { cause: error });
  }
}
