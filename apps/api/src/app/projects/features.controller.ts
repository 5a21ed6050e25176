import { DependenciesService, FeaturesService, HumanInputService } from '@autocoder/server-backlog';
import { BoardView, FeatureView, GraphView } from '@autocoder/shared-contracts';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  AddDependencyDto,
  AnswerHumanInputDto,
  BoardQueryDto,
  CreateFeatureDto,
  ReplaceDependenciesDto,
  UpdateFeatureDto,
} from '../http/dto';
import { ParseIdPipe } from '../http/validation';

@ApiTags('features')
@Controller('projects/:projectId')
export class FeaturesController {
  constructor(
    private readonly features: FeaturesService,
    private readonly dependencies: DependenciesService,
    private readonly humanInput: HumanInputService,
  ) {}

  /** Answers the form an agent left on a feature; the feature goes back to pending. */
  @Post('features/:featureId/human-input')
  @HttpCode(200)
  answerHumanInput(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
    @Body() body: AnswerHumanInputDto,
  ): Promise<FeatureView> {
    return this.humanInput.answer(projectId, featureId, body);
  }

  /** The Kanban board: features grouped by status, each column paged. */
  @Get('board')
  board(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Query() query: BoardQueryDto,
  ): Promise<BoardView> {
    return this.features.board(projectId, query);
  }

  @Get('graph')
  graph(@Param('projectId', ParseIdPipe) projectId: string): Promise<GraphView> {
    return this.dependencies.graph(projectId);
  }

  @Post('features')
  create(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Body() body: CreateFeatureDto,
  ): Promise<FeatureView> {
    return this.features.create(projectId, body);
  }

  @Get('features/:featureId')
  get(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
  ): Promise<FeatureView> {
    return this.features.get(projectId, featureId);
  }

  @Patch('features/:featureId')
  update(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
    @Body() body: UpdateFeatureDto,
  ): Promise<FeatureView> {
    return this.features.update(projectId, featureId, body);
  }

  @Delete('features/:featureId')
  @HttpCode(204)
  async remove(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
  ): Promise<void> {
    await this.features.remove(projectId, featureId);
  }

  /** Moves the feature to the end of the queue. */
  @Post('features/:featureId/skip')
  @HttpCode(200)
  skip(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
  ): Promise<FeatureView> {
    return this.features.skip(projectId, featureId);
  }

  @Put('features/:featureId/dependencies')
  async replaceDependencies(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
    @Body() body: ReplaceDependenciesDto,
  ): Promise<FeatureView> {
    await this.dependencies.replace(projectId, featureId, body.dependsOn);
    return this.features.get(projectId, featureId);
  }

  @Post('features/:featureId/dependencies')
  @HttpCode(200)
  async addDependency(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
    @Body() body: AddDependencyDto,
  ): Promise<FeatureView> {
    await this.dependencies.add(projectId, featureId, body.dependsOnId);
    return this.features.get(projectId, featureId);
  }

  @Delete('features/:featureId/dependencies/:dependsOnId')
  async removeDependency(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('featureId', ParseIdPipe) featureId: string,
    @Param('dependsOnId', ParseIdPipe) dependsOnId: string,
  ): Promise<FeatureView> {
    await this.dependencies.remove(projectId, featureId, dependsOnId);
    return this.features.get(projectId, featureId);
  }
}
