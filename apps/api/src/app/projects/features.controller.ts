import { Allow, CurrentPrincipal, Principal } from '@autocoder/server-auth';
import { Audit } from '@autocoder/server-audit';
import {
  BoardAnswers,
  DependenciesService,
  FeaturesService,
  HumanInputService,
} from '@autocoder/server-projects';
import { AgentControlService, FeatureDetailService } from '@autocoder/server-orchestration';
import {
  BoardViewSchema,
  FeatureDetailView,
  FeatureDetailViewSchema,
  FeatureView,
  FeatureViewSchema,
  GraphView,
  GraphViewSchema,
} from '@autocoder/shared-contracts';
import {
  Body,
  Controller,
  Delete,
  Get,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  AddDependencyDto,
  AnswerHumanInputDto,
  BoardQueryDto,
  CreateFeatureDto,
  ReplaceDependenciesDto,
  UpdateFeatureDto,
} from '../http/dto';
import { RequestId } from '../http/request-id.decorator';
import { ParseIdPipe } from '../http/validation';
import { FeatureChangesInterceptor } from './feature-changes.interceptor';
import { Operation } from '../http/operation.decorator';

@ApiTags('features')
@Controller('projects/:projectId')
@UseInterceptors(FeatureChangesInterceptor)
export class FeaturesController {
  constructor(
    private readonly features: FeaturesService,
    private readonly dependencies: DependenciesService,
    private readonly humanInput: HumanInputService,
    private readonly detail: FeatureDetailService,
    private readonly control: AgentControlService,
    private readonly boards: BoardAnswers,
  ) {}

  /**
   * Answers the form an agent left on a feature; the feature goes back to pending and agents
   * that stopped to wait for it (project waiting) start again by themselves.
   */
  @Post('features/:featureId/human-input')
  @Operation('Answer the question an agent left on a feature', {
    returns: FeatureViewSchema,
    status: 200,
  })
  @Allow('admin')
  @Audit({ action: 'feature.answer_input', target: 'feature', idParam: 'featureId' })
  async answerHumanInput(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
    @Body() body: AnswerHumanInputDto,
    @CurrentPrincipal() who: Principal,
    @RequestId() requestId?: string,
  ): Promise<FeatureView> {
    await this.humanInput.answer(projectId, featureId, body);
    await this.control.wake(projectId, 'a question was answered', requestId, who.userId);
    return this.features.get(projectId, featureId);
  }

  /**
   * Back to pending with its attempts reset (from failing, or pending after failed attempts);
   * running agents take it up at once, waiting ones start again.
   */
  @Post('features/:featureId/retry')
  @Operation('Send a feature back to the agents', { returns: FeatureViewSchema, status: 200 })
  @Allow('admin')
  @Audit({ action: 'feature.retry', target: 'feature', idParam: 'featureId' })
  async retry(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
    @CurrentPrincipal() who: Principal,
    @RequestId() requestId?: string,
  ): Promise<FeatureView> {
    await this.features.retry(projectId, featureId);
    await this.control.wake(
      projectId,
      'a feature was sent back to the agents',
      requestId,
      who.userId,
    );
    return this.features.get(projectId, featureId);
  }

  /**
   * The Kanban board (a BoardView): features grouped by status, each column paged. Answers are
   * kept until the project's features change (BoardAnswers), sent with a strong ETag (a
   * console polling an unchanged board gets 304) and gzipped once, not per request.
   */
  @Get('board')
  @Operation("Get a project's Kanban board", { returns: BoardViewSchema })
  @Allow('viewer')
  async board(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Query() query: BoardQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const answer = await this.boards.board(projectId, query);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('ETag', answer.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Cache-Control', 'private, no-cache');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      const body = await answer.gzipped();
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Length', body.length);
      res.end(body);
      return;
    }
    res.setHeader('Content-Length', answer.json.length);
    res.end(answer.json);
  }

  @Get('graph')
  @Operation("Get a project's dependency graph", { returns: GraphViewSchema })
  @Allow('viewer')
  graph(@Param('projectId', ParseIdPipe) projectId: string): Promise<GraphView> {
    return this.dependencies.graph(projectId);
  }

  @Post('features')
  @Operation('Create a feature', { returns: FeatureViewSchema })
  @Allow('admin')
  @Audit({ action: 'feature.create', target: 'feature' })
  create(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Body() body: CreateFeatureDto,
  ): Promise<FeatureView> {
    return this.features.create(projectId, body);
  }

  /** The feature with its dependencies, dependents, runs, the run that passed it and its cost. */
  @Get('features/:featureId')
  @Operation('Get a feature with its dependencies, runs and spend', {
    returns: FeatureDetailViewSchema,
  })
  @Allow('viewer')
  get(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
  ): Promise<FeatureDetailView> {
    return this.detail.get(projectId, featureId);
  }

  @Patch('features/:featureId')
  @Operation('Update a feature', { returns: FeatureViewSchema })
  @Allow('admin')
  @Audit({ action: 'feature.update', target: 'feature', idParam: 'featureId' })
  update(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
    @Body() body: UpdateFeatureDto,
  ): Promise<FeatureView> {
    return this.features.update(projectId, featureId, body);
  }

  @Delete('features/:featureId')
  @Operation('Delete a feature', { status: 204 })
  @Allow('admin')
  @Audit({ action: 'feature.delete', target: 'feature', idParam: 'featureId' })
  async remove(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
  ): Promise<void> {
    await this.features.remove(projectId, featureId);
  }

  /** Moves the feature to the end of the queue. */
  @Post('features/:featureId/skip')
  @Operation('Move a feature to the end of the queue', { returns: FeatureViewSchema, status: 200 })
  @Allow('admin')
  @Audit({ action: 'feature.skip', target: 'feature', idParam: 'featureId' })
  skip(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
  ): Promise<FeatureView> {
    return this.features.skip(projectId, featureId);
  }

  @Put('features/:featureId/dependencies')
  @Operation("Replace a feature's dependencies", { returns: FeatureViewSchema })
  @Allow('admin')
  @Audit({ action: 'feature.set_dependencies', target: 'feature', idParam: 'featureId' })
  async replaceDependencies(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
    @Body() body: ReplaceDependenciesDto,
  ): Promise<FeatureView> {
    await this.dependencies.replace(projectId, featureId, body.dependsOn);
    return this.features.get(projectId, featureId);
  }

  @Post('features/:featureId/dependencies')
  @Operation('Add a dependency to a feature', { returns: FeatureViewSchema, status: 200 })
  @Allow('admin')
  @Audit({ action: 'feature.add_dependency', target: 'feature', idParam: 'featureId' })
  async addDependency(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
    @Body() body: AddDependencyDto,
  ): Promise<FeatureView> {
    await this.dependencies.add(projectId, featureId, body.dependsOnId);
    return this.features.get(projectId, featureId);
  }

  @Delete('features/:featureId/dependencies/:dependsOnId')
  @Operation('Remove a dependency from a feature', { returns: FeatureViewSchema })
  @Allow('admin')
  @Audit({ action: 'feature.remove_dependency', target: 'feature', idParam: 'featureId' })
  async removeDependency(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
    @Param('dependsOnId', ParseIdPipe) dependsOnId: string,
  ): Promise<FeatureView> {
    await this.dependencies.remove(projectId, featureId, dependsOnId);
    return this.features.get(projectId, featureId);
  }
}
