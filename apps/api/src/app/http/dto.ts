// One DTO class per zod schema of the contract: validation and OpenAPI come from the same schema.
import {
  AddDependencySchema,
  AnswerHumanInputSchema,
  BoardQuerySchema,
  ConversationMessagesQuerySchema,
  AuditExportQuerySchema,
  AuditQuerySchema,
  CreateApiTokenSchema,
  CreateConversationSchema,
  CreateFeatureSchema,
  CreateProjectSchema,
  CreateScheduleSchema,
  ListConversationsQuerySchema,
  ListProjectsQuerySchema,
  ListRunsQuerySchema,
  RunEventsQuerySchema,
  SetProjectRemoteSchema,
  LiveEventsQuerySchema,
  MergeQueueQuerySchema,
  SearchConversationsQuerySchema,
  ConversationExportQuerySchema,
  PostMessageSchema,
  ReplaceDependenciesSchema,
  RepositoryFileQuerySchema,
  RepositoryHistoryQuerySchema,
  RepositoryTreeQuerySchema,
  StartAgentsSchema,
  StartRunSchema,
  StatsTimelineQuerySchema,
  UpdateFeatureSchema,
  UpdateProjectSchema,
  UpdateScheduleSchema,
} from '@autocoder/shared-contracts';
import { createZodDto } from 'nestjs-zod';

export class CreateProjectDto extends createZodDto(CreateProjectSchema) {}
export class UpdateProjectDto extends createZodDto(UpdateProjectSchema) {}
export class ListProjectsQueryDto extends createZodDto(ListProjectsQuerySchema) {}
export class CreateFeatureDto extends createZodDto(CreateFeatureSchema) {}
export class UpdateFeatureDto extends createZodDto(UpdateFeatureSchema) {}
export class BoardQueryDto extends createZodDto(BoardQuerySchema) {}
export class ReplaceDependenciesDto extends createZodDto(ReplaceDependenciesSchema) {}
export class AddDependencyDto extends createZodDto(AddDependencySchema) {}
export class StartRunDto extends createZodDto(StartRunSchema) {}
export class ListRunsQueryDto extends createZodDto(ListRunsQuerySchema) {}
export class RunEventsQueryDto extends createZodDto(RunEventsQuerySchema) {}
export class StatsTimelineQueryDto extends createZodDto(StatsTimelineQuerySchema) {}
export class AnswerHumanInputDto extends createZodDto(AnswerHumanInputSchema) {}
export class StartAgentsDto extends createZodDto(StartAgentsSchema) {}
export class CreateConversationDto extends createZodDto(CreateConversationSchema) {}
export class ListConversationsQueryDto extends createZodDto(ListConversationsQuerySchema) {}
export class ConversationMessagesQueryDto extends createZodDto(ConversationMessagesQuerySchema) {}
export class PostMessageDto extends createZodDto(PostMessageSchema) {}
export class SearchConversationsQueryDto extends createZodDto(SearchConversationsQuerySchema) {}
export class ConversationExportQueryDto extends createZodDto(ConversationExportQuerySchema) {}
export class LiveEventsQueryDto extends createZodDto(LiveEventsQuerySchema) {}
export class CreateScheduleDto extends createZodDto(CreateScheduleSchema) {}
export class UpdateScheduleDto extends createZodDto(UpdateScheduleSchema) {}
export class CreateApiTokenDto extends createZodDto(CreateApiTokenSchema) {}

export class AuditQueryDto extends createZodDto(AuditQuerySchema) {}
export class AuditExportQueryDto extends createZodDto(AuditExportQuerySchema) {}

export class RepositoryTreeQueryDto extends createZodDto(RepositoryTreeQuerySchema) {}
export class RepositoryFileQueryDto extends createZodDto(RepositoryFileQuerySchema) {}
export class RepositoryHistoryQueryDto extends createZodDto(RepositoryHistoryQuerySchema) {}
export class MergeQueueQueryDto extends createZodDto(MergeQueueQuerySchema) {}
export class SetProjectRemoteDto extends createZodDto(SetProjectRemoteSchema) {}
