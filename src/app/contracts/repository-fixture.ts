/** What a contract suite needs from an adapter: fresh, empty repositories per test. */
import type { ImageRepository, SiteRepository } from '../ports.ts';

export interface RepositoryFixture {
  readonly sites: SiteRepository;
  readonly images: ImageRepository;
  /** Releases the connection and whatever the factory created. */
  close(): Promise<void>;
}

/** Creates an empty store (a temp database, a fresh schema) for one test. */
export type MakeRepositories = () => Promise<RepositoryFixture>;
