import {
  AnswerHumanInputInput,
  FeatureView,
  HumanInputRequest,
  HumanInputRequestSchema,
  humanInputAnswerIssues,
  PendingQuestionsView,
} from '@autocoder/shared-contracts';
import { FeaturesRepository, Prisma } from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { conflict, invalid, issuesOf } from './errors';
import { FeaturesService } from './features.service';

/** The oldest questions listed across projects (the total counts them all). */
const PENDING_QUESTIONS_SHOWN = 50;

/**
 * An agent asks a person (the feature waits in needs_input with a form); a person answers (the
 * feature returns to pending and the next session reads the answer).
 */
@Injectable()
export class HumanInputService {
  constructor(
    private readonly rows: FeaturesRepository,
    private readonly features: FeaturesService,
  ) {}

  async request(projectId: string, featureId: string, raw: unknown): Promise<FeatureView> {
    const parsed = HumanInputRequestSchema.safeParse(raw);
    if (!parsed.success) {
      throw invalid('The human-input form is not valid.', issuesOf(parsed.error, 'request'));
    }
    await this.features.require(projectId, featureId);
    await this.rows.update(featureId, {
      status: 'needs_input',
      humanInputRequest: parsed.data as Prisma.InputJsonValue,
      humanInputResponse: Prisma.JsonNull,
      leaseOwner: null,
      leaseExpiresAt: null,
    });
    return this.features.get(projectId, featureId);
  }

  /** Questions agents wait on across every project: how many, and the oldest first. */
  async pending(): Promise<PendingQuestionsView> {
    const { total, rows } = await this.rows.pendingQuestions(PENDING_QUESTIONS_SHOWN);
    return {
      total,
      items: rows.map((r) => {
        const request = HumanInputRequestSchema.safeParse(r.humanInputRequest);
        return {
          projectId: r.project.id,
          projectName: r.project.name,
          featureId: r.id,
          featureName: r.name,
          prompt: request.success ? request.data.prompt : '',
          askedAt: r.updatedAt.toISOString(),
        };
      }),
    };
  }

  async answer(
    projectId: string,
    featureId: string,
    input: AnswerHumanInputInput,
  ): Promise<FeatureView> {
    const feature = await this.features.require(projectId, featureId);
    const request = HumanInputRequestSchema.safeParse(feature.humanInputRequest);
    if (feature.status !== 'needs_input' || !request.success) {
      throw conflict(
        `feature ${featureId} is not waiting for human input (status ${feature.status})`,
      );
    }
    const issues = humanInputAnswerIssues(request.data as HumanInputRequest, input.values);
    if (issues.length > 0)
      throw invalid(
        'The answer does not fit the form.',
        issues.map((i) => ({ ...i, path: `body.${i.path}` })),
      );
    // Only the state we read may change: a concurrent answer or agent update wins, this one 409s.
    const answered = await this.rows.updateIf(
      featureId,
      ['needs_input'],
      {
        status: 'pending',
        humanInputResponse: { values: input.values, answeredAt: new Date().toISOString() },
      },
      feature.updatedAt,
    );
    if (!answered)
      throw conflict(`feature ${featureId} changed while answering; reload and try again`);
    return this.features.get(projectId, featureId);
  }
}
