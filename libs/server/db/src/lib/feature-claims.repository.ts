import { DomainMetrics } from '@autocoder/server-observability';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Feature } from '../generated/prisma/client';
import { PrismaService } from './prisma.service';
import { Db } from './transactions';
import {
  CLAIM_FEATURES_SQL,
  HEARTBEAT_FEATURES_SQL,
  MARK_EXHAUSTED_SQL,
  MARK_MERGED_PASSING_SQL,
  CLAIM_REGRESSION_SQL,
  REAP_EXPIRED_SQL,
  RELEASE_FEATURE_SQL,
  RELEASE_OWNED_SQL,
  RELEASE_REGRESSION_SQL,
} from './sql/claims.sql';

/** Attempts after which claim stops picking a feature (see markExhausted). */
export const DEFAULT_MAX_ATTEMPTS = 3;

export interface ClaimFeaturesInput {
  projectId: string;
  /** Who holds the lease, e.g. a runner id plus session id; unique per worker. */
  owner: string;
  /** Lease length; heartbeat before it ends or the reaper returns the feature to the backlog. */
  leaseMs: number;
  /** How many features to claim at most (default 1). */
  limit?: number;
  /** Features with this many attempts already are not claimed (default 3). */
  maxAttempts?: number;
}

/** A feature just claimed; attempts already counts this claim. */
export type ClaimedFeature = Pick<Feature, 'id' | 'name' | 'priority' | 'attempts'> & {
  leaseExpiresAt: Date;
};

/** How a lease ends: done (passing), given up (failing) or handed back (pending). */
export type ReleaseStatus = 'pending' | 'passing' | 'failing';

export interface ReleaseFeatureInput {
  status: ReleaseStatus;
  /** Stored as lastError; omitted clears it. */
  error?: string;
  /** Give back the attempt the claim counted (the stop was not the feature's fault). */
  refundAttempt?: boolean;
}

const RELEASE_STATUSES: readonly ReleaseStatus[] = ['pending', 'passing', 'failing'];

/** A row of CLAIM_FEATURES_SQL: the claimed feature and its sort key. */
type ClaimRow = ClaimedFeature & { blockedDependentCount: number };

/**
 * Feature claims as leases, in Postgres: a claim atomically takes ready features (every
 * dependency passing) with FOR NO KEY UPDATE SKIP LOCKED, the holder heartbeats and releases, and
 * a reaper returns the leases of dead holders. The SQL is in ./sql/claims.sql.ts; readiness
 * counters and their triggers in the migration feature_claim_counters.
 */
@Injectable()
export class FeatureClaimsRepository {
  private readonly metrics: DomainMetrics;

  constructor(
    private readonly prisma: PrismaService,
    @Optional() @Inject(DomainMetrics) metrics?: DomainMetrics,
  ) {
    this.metrics = metrics ?? DomainMetrics.shared();
  }

  /** Claims up to `limit` ready features, most-unblocking first, then by priority. */
  async claim(input: ClaimFeaturesInput): Promise<ClaimedFeature[]> {
    const limit = input.limit ?? 1;
    const maxAttempts = input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    requireOwner(input.owner);
    requirePositiveInteger('leaseMs', input.leaseMs);
    requirePositiveInteger('limit', limit);
    requirePositiveInteger('maxAttempts', maxAttempts);
    const rows = await this.prisma.$queryRawUnsafe<ClaimRow[]>(
      CLAIM_FEATURES_SQL,
      input.projectId,
      input.owner,
      input.leaseMs,
      limit,
      maxAttempts,
    );
    this.metrics.featureClaims('backlog', rows.length);
    // UPDATE ... RETURNING has no order; restore the claim order (uuid text sorts like uuid).
    return rows
      .sort(
        (a, b) =>
          b.blockedDependentCount - a.blockedDependentCount ||
          a.priority - b.priority ||
          (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      )
      .map((row) => ({
        id: row.id,
        name: row.name,
        priority: row.priority,
        attempts: row.attempts,
        leaseExpiresAt: row.leaseExpiresAt,
      }));
  }

  /**
   * Extends the leases `owner` still holds, also one past its expiry that the reaper has not
   * taken yet; returns the ids extended (the others are lost).
   */
  async heartbeat(
    featureIds: readonly string[],
    owner: string,
    leaseMs: number,
  ): Promise<string[]> {
    requireOwner(owner);
    requirePositiveInteger('leaseMs', leaseMs);
    if (featureIds.length === 0) return [];
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      HEARTBEAT_FEATURES_SQL,
      [...featureIds],
      owner,
      leaseMs,
    );
    return rows.map((row) => row.id);
  }

  /** Ends the lease with an outcome; false when `owner` no longer holds it. */
  async release(featureId: string, owner: string, outcome: ReleaseFeatureInput): Promise<boolean> {
    requireOwner(owner);
    if (!RELEASE_STATUSES.includes(outcome.status)) {
      throw new RangeError(`release status must be one of ${RELEASE_STATUSES.join(', ')}`);
    }
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      RELEASE_FEATURE_SQL,
      featureId,
      owner,
      outcome.status,
      outcome.error ?? null,
      outcome.refundAttempt ?? false,
    );
    return rows.length === 1;
  }

  /**
   * The merge queue merged these features' work: passing, lease ended, whoever holds it (see
   * MARK_MERGED_PASSING_SQL). Runs in the queue's resolving transaction `db`; returns the ids it
   * changed (not those already passing).
   */
  async markMerged(featureIds: readonly string[], db: Db = this.prisma): Promise<string[]> {
    if (featureIds.length === 0) return [];
    const rows = await db.$queryRawUnsafe<{ id: string }[]>(MARK_MERGED_PASSING_SQL, [
      ...featureIds,
    ]);
    return rows.map((row) => row.id);
  }

  /** Releases (refunding the attempt) what owners starting with `ownerPrefix` hold in a project. */
  async releaseOwnedBy(projectId: string, ownerPrefix: string): Promise<string[]> {
    requireOwner(ownerPrefix);
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      RELEASE_OWNED_SQL,
      projectId,
      ownerPrefix,
    );
    return rows.map((row) => row.id);
  }

  /** Leases the least recently touched passing feature for a regression check; it stays passing. */
  async claimRegression(input: {
    projectId: string;
    owner: string;
    leaseMs: number;
  }): Promise<ClaimedFeature | null> {
    requireOwner(input.owner);
    requirePositiveInteger('leaseMs', input.leaseMs);
    const rows = await this.prisma.$queryRawUnsafe<ClaimedFeature[]>(
      CLAIM_REGRESSION_SQL,
      input.projectId,
      input.owner,
      input.leaseMs,
    );
    this.metrics.featureClaims('regression', rows.length);
    return rows[0] ?? null;
  }

  /** Ends a regression lease: still passing (no reason), or regressed back to pending. */
  async releaseRegression(
    featureId: string,
    owner: string,
    regression: string | null,
  ): Promise<boolean> {
    requireOwner(owner);
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      RELEASE_REGRESSION_SQL,
      featureId,
      owner,
      regression,
    );
    return rows.length === 1;
  }

  /**
   * Returns expired in-progress leases to pending (as of `now`, default the database's clock)
   * and gives their ids. The attempt they used stays counted.
   */
  async reapExpired(now?: Date): Promise<string[]> {
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(REAP_EXPIRED_SQL, now ?? null);
    this.metrics.leasesReaped(rows.length);
    return rows.map((row) => row.id);
  }

  /**
   * Fails the pending features of a project that used `maxAttempts` attempts, with lastError
   * "exhausted N attempts", so a run over the backlog ends. Returns their ids.
   */
  async markExhausted(projectId: string, maxAttempts = DEFAULT_MAX_ATTEMPTS): Promise<string[]> {
    requirePositiveInteger('maxAttempts', maxAttempts);
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      MARK_EXHAUSTED_SQL,
      projectId,
      maxAttempts,
    );
    return rows.map((row) => row.id);
  }
}

// Checked here because a NaN or fractional value would reach SQL as a confusing cast error.
function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

// An empty owner would make every holder look alike, and heartbeats would extend others' leases.
function requireOwner(owner: string): void {
  if (typeof owner !== 'string' || owner.length === 0) {
    throw new RangeError('owner must be a non-empty string');
  }
}
