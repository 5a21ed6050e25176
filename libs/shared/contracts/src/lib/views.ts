// Response shapes of the api, as the console reads them: inferred from the zod schemas of
// view-schemas.ts, which also describe them in the api's OpenAPI document. Type-only imports, so
// the console's first load (which imports this file through plain.ts) carries no zod.
import type { z } from 'zod';
import type * as S from './view-schemas';

/** A page of a list (the schema is `pageOf(item)`). */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type ApiErrorIssue = z.infer<typeof S.ApiErrorIssueSchema>;
export type ApiErrorBody = z.infer<typeof S.ApiErrorBodySchema>;
export type StatusCounts = z.infer<typeof S.StatusCountsSchema>;
export type ProjectActivityView = z.infer<typeof S.ProjectActivityViewSchema>;
export type ProjectView = z.infer<typeof S.ProjectViewSchema>;
export type FeatureView = z.infer<typeof S.FeatureViewSchema>;
export type FeatureRefView = z.infer<typeof S.FeatureRefViewSchema>;
export type SpendSplit = z.infer<typeof S.SpendSplitSchema>;
export type RunView = z.infer<typeof S.RunViewSchema>;
export type FeatureDetailView = z.infer<typeof S.FeatureDetailViewSchema>;
export type BoardColumn = z.infer<typeof S.BoardColumnSchema>;
export type BoardView = z.infer<typeof S.BoardViewSchema>;
export type GraphView = z.infer<typeof S.GraphViewSchema>;
export type FeatureSpendView = z.infer<typeof S.FeatureSpendViewSchema>;
export type ProjectSpendView = z.infer<typeof S.ProjectSpendViewSchema>;
export type ProjectStatsView = z.infer<typeof S.ProjectStatsViewSchema>;
export type RunEventView = z.infer<typeof S.RunEventViewSchema>;
export type RunDetailView = z.infer<typeof S.RunDetailViewSchema>;
export type RunEventsPageView = z.infer<typeof S.RunEventsPageViewSchema>;
export type SessionView = z.infer<typeof S.SessionViewSchema>;
export type PendingQuestionsView = z.infer<typeof S.PendingQuestionsViewSchema>;
export type ScheduleWindowView = z.infer<typeof S.ScheduleWindowViewSchema>;
export type ScheduleOverrideView = z.infer<typeof S.ScheduleOverrideViewSchema>;
export type ScheduleActionView = z.infer<typeof S.ScheduleActionViewSchema>;
export type ScheduleView = z.infer<typeof S.ScheduleViewSchema>;
export type ConversationView = z.infer<typeof S.ConversationViewSchema>;
export type ChatToolCallView = z.infer<typeof S.ChatToolCallViewSchema>;
export type MessageView = z.infer<typeof S.MessageViewSchema>;
export type ChatStopView = z.infer<typeof S.ChatStopViewSchema>;
export type ConversationDetailView = z.infer<typeof S.ConversationDetailViewSchema>;
export type ConversationSearchHitView = z.infer<typeof S.ConversationSearchHitViewSchema>;
export type ConversationSearchView = z.infer<typeof S.ConversationSearchViewSchema>;
export type ApiTokenView = z.infer<typeof S.ApiTokenViewSchema>;
export type CreatedApiTokenView = z.infer<typeof S.CreatedApiTokenViewSchema>;
export type AuthMeView = z.infer<typeof S.AuthMeViewSchema>;
export type SignOutView = z.infer<typeof S.SignOutViewSchema>;
export type AuditEventView = z.infer<typeof S.AuditEventViewSchema>;
export type ModelView = z.infer<typeof S.ModelViewSchema>;
export type ProviderView = z.infer<typeof S.ProviderViewSchema>;
export type ProviderListView = z.infer<typeof S.ProviderListViewSchema>;
export type ProjectDeletePreviewView = z.infer<typeof S.ProjectDeletePreviewViewSchema>;
export type FleetSessionView = z.infer<typeof S.FleetSessionViewSchema>;
export type FleetRunnerView = z.infer<typeof S.FleetRunnerViewSchema>;
export type FleetQueueView = z.infer<typeof S.FleetQueueViewSchema>;
export type FleetView = z.infer<typeof S.FleetViewSchema>;
export type ProjectDayView = z.infer<typeof S.ProjectDayViewSchema>;
export type FeatureTimeView = z.infer<typeof S.FeatureTimeViewSchema>;
export type CategoryProgressView = z.infer<typeof S.CategoryProgressViewSchema>;
export type ProjectTimelineView = z.infer<typeof S.ProjectTimelineViewSchema>;
export type RepositoryEntryView = z.infer<typeof S.RepositoryEntryViewSchema>;
export type RepositoryTreeView = z.infer<typeof S.RepositoryTreeViewSchema>;
export type RepositoryFileView = z.infer<typeof S.RepositoryFileViewSchema>;
export type RepositoryFileChangeView = z.infer<typeof S.RepositoryFileChangeViewSchema>;
export type RepositoryMergeView = z.infer<typeof S.RepositoryMergeViewSchema>;
export type RepositoryHistoryView = z.infer<typeof S.RepositoryHistoryViewSchema>;
export type ProjectRemoteView = z.infer<typeof S.ProjectRemoteViewSchema>;
export type MergeQueueEntryView = z.infer<typeof S.MergeQueueEntryViewSchema>;
export type MergeQueueSummaryView = z.infer<typeof S.MergeQueueSummaryViewSchema>;
export type MergeQueueView = z.infer<typeof S.MergeQueueViewSchema>;
