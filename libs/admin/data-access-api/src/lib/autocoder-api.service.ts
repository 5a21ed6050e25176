import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type {
  AnswerHumanInputInput,
  ApiTokenView,
  AuditEventView,
  AuditExportQuery,
  AuditQuery,
  BoardQuery,
  BoardView,
  ChatStopView,
  ConversationDetailView,
  ConversationExportQuery,
  ConversationMessagesQuery,
  ConversationSearchView,
  ConversationView,
  CreateApiTokenInput,
  CreateConversationInput,
  CreatedApiTokenView,
  CreateFeatureInput,
  CreateProjectInput,
  CreateScheduleInput,
  FeatureDetailView,
  FeatureView,
  FleetView,
  GraphView,
  ListConversationsQuery,
  ListProjectsQuery,
  ListRunsQuery,
  MergeQueueQuery,
  MergeQueueView,
  MessageView,
  Page,
  PendingQuestionsView,
  PostMessageInput,
  ProjectDeletePreviewView,
  ProjectRemoteView,
  SetProjectRemoteInput,
  ProjectSpendView,
  ProjectTimelineView,
  ProjectView,
  ProviderListView,
  RepositoryFileView,
  RepositoryHistoryQuery,
  RepositoryHistoryView,
  RepositoryTreeView,
  RunDetailView,
  RunEventsPageView,
  RunView,
  ScheduleView,
  SearchConversationsQuery,
  SessionView,
  StartAgentsInput,
  StartRunInput,
  UpdateFeatureInput,
  UpdateProjectInput,
  UpdateScheduleInput,
} from '@autocoder/shared-contracts';
import type { Observable } from 'rxjs';
import { API_BASE_URL } from './api-base-url';

type QueryValue = string | number | boolean | undefined | null;

/** Builds query parameters, leaving out what the caller did not set. */
function toParams(query: Record<string, QueryValue> | undefined): HttpParams {
  let params = new HttpParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params = params.set(key, String(value));
  }
  return params;
}

/** Typed client of the AutoCoder REST api (`/api/v1`). */
@Injectable({ providedIn: 'root' })
export class AutocoderApi {
  private readonly http = inject(HttpClient);
  private readonly base = inject(API_BASE_URL);

  private project(projectId: string): string {
    return `${this.base}/projects/${encodeURIComponent(projectId)}`;
  }

  private feature(projectId: string, featureId: string): string {
    return `${this.project(projectId)}/features/${encodeURIComponent(featureId)}`;
  }

  listProjects(query?: Partial<ListProjectsQuery>): Observable<Page<ProjectView>> {
    return this.http.get<Page<ProjectView>>(`${this.base}/projects`, { params: toParams(query) });
  }

  createProject(input: CreateProjectInput): Observable<ProjectView> {
    return this.http.post<ProjectView>(`${this.base}/projects`, input);
  }

  getProject(projectId: string): Observable<ProjectView> {
    return this.http.get<ProjectView>(`${this.base}/projects/${encodeURIComponent(projectId)}`);
  }

  getBoard(projectId: string, query?: Partial<BoardQuery>): Observable<BoardView> {
    return this.http.get<BoardView>(
      `${this.base}/projects/${encodeURIComponent(projectId)}/board`,
      {
        params: toParams(query),
      },
    );
  }

  updateProject(projectId: string, input: UpdateProjectInput): Observable<ProjectView> {
    return this.http.patch<ProjectView>(`${this.project(projectId)}`, input);
  }

  // ---- Project settings and models (settings page, model picker, provider badges) ------------

  /** The providers and models this deployment can call (cached by the api for a minute). */
  listProviders(): Observable<ProviderListView> {
    return this.http.get<ProviderListView>(`${this.base}/providers`);
  }

  /** Admin: drops the api's cached provider list and builds it anew (asks Ollama again). */
  refreshProviders(): Observable<ProviderListView> {
    return this.http.post<ProviderListView>(`${this.base}/providers/refresh`, {});
  }

  /** What deleting the project would remove: features, runs, conversations, schedules. */
  getDeletePreview(projectId: string): Observable<ProjectDeletePreviewView> {
    return this.http.get<ProjectDeletePreviewView>(`${this.project(projectId)}/delete-preview`);
  }

  deleteProject(projectId: string): Observable<void> {
    return this.http.delete<void>(this.project(projectId));
  }

  /** Where the project's canonical git repository lives (never its credential). */
  getProjectRemote(projectId: string): Observable<ProjectRemoteView> {
    return this.http.get<ProjectRemoteView>(`${this.project(projectId)}/remote`);
  }

  /** Moves the repository to the project's own remote (main goes along); admins only. */
  setProjectRemote(projectId: string, input: SetProjectRemoteInput): Observable<ProjectRemoteView> {
    return this.http.put<ProjectRemoteView>(`${this.project(projectId)}/remote`, input);
  }

  /** Moves the repository back to the bundled git server (main goes along); admins only. */
  clearProjectRemote(projectId: string): Observable<ProjectRemoteView> {
    return this.http.delete<ProjectRemoteView>(`${this.project(projectId)}/remote`);
  }

  // ---- Agents -------------------------------------------------------------------------------

  startAgents(projectId: string, input: StartAgentsInput = {}): Observable<ProjectView> {
    return this.http.post<ProjectView>(`${this.project(projectId)}/agents/start`, input);
  }

  pauseAgents(projectId: string): Observable<ProjectView> {
    return this.http.post<ProjectView>(`${this.project(projectId)}/agents/pause`, {});
  }

  resumeAgents(projectId: string): Observable<ProjectView> {
    return this.http.post<ProjectView>(`${this.project(projectId)}/agents/resume`, {});
  }

  stopAgents(projectId: string): Observable<ProjectView> {
    return this.http.post<ProjectView>(`${this.project(projectId)}/agents/stop`, {});
  }

  /** Sessions queued or running now, with their turn and last tool call. */
  listSessions(projectId: string): Observable<SessionView[]> {
    return this.http.get<SessionView[]>(`${this.project(projectId)}/sessions`);
  }

  getSpend(projectId: string): Observable<ProjectSpendView> {
    return this.http.get<ProjectSpendView>(`${this.project(projectId)}/spend`);
  }

  /** Questions agents wait on across every project (the "needs you" counter). */
  pendingQuestions(): Observable<PendingQuestionsView> {
    return this.http.get<PendingQuestionsView>(`${this.base}/questions`);
  }

  // ---- Features -----------------------------------------------------------------------------

  getFeature(projectId: string, featureId: string): Observable<FeatureDetailView> {
    return this.http.get<FeatureDetailView>(this.feature(projectId, featureId));
  }

  createFeature(projectId: string, input: CreateFeatureInput): Observable<FeatureView> {
    return this.http.post<FeatureView>(`${this.project(projectId)}/features`, input);
  }

  updateFeature(
    projectId: string,
    featureId: string,
    input: UpdateFeatureInput,
  ): Observable<FeatureView> {
    return this.http.patch<FeatureView>(this.feature(projectId, featureId), input);
  }

  /** Moves it to the end of the queue. */
  skipFeature(projectId: string, featureId: string): Observable<FeatureView> {
    return this.http.post<FeatureView>(`${this.feature(projectId, featureId)}/skip`, {});
  }

  /** Back to pending with its attempts reset, for the agents to try again. */
  retryFeature(projectId: string, featureId: string): Observable<FeatureView> {
    return this.http.post<FeatureView>(`${this.feature(projectId, featureId)}/retry`, {});
  }

  // ---- Backlog editing (board and feature panel) -------------------------------------------

  /** Deletes the feature; features that depended on it lose that dependency. */
  deleteFeature(projectId: string, featureId: string): Observable<void> {
    return this.http.delete<void>(this.feature(projectId, featureId));
  }

  /** 409 with the cycle when it would close one; 400 past the dependency limit. */
  addDependency(
    projectId: string,
    featureId: string,
    dependsOnId: string,
  ): Observable<FeatureView> {
    return this.http.post<FeatureView>(`${this.feature(projectId, featureId)}/dependencies`, {
      dependsOnId,
    });
  }

  removeDependency(
    projectId: string,
    featureId: string,
    dependsOnId: string,
  ): Observable<FeatureView> {
    return this.http.delete<FeatureView>(
      `${this.feature(projectId, featureId)}/dependencies/${encodeURIComponent(dependsOnId)}`,
    );
  }

  // ---- Schedules ----------------------------------------------------------------------------

  listSchedules(projectId: string): Observable<ScheduleView[]> {
    return this.http.get<ScheduleView[]>(`${this.project(projectId)}/schedules`);
  }

  /** 400 with a reason per field (an overlap is reported on durationMinutes). */
  createSchedule(projectId: string, input: CreateScheduleInput): Observable<ScheduleView> {
    return this.http.post<ScheduleView>(`${this.project(projectId)}/schedules`, input);
  }

  updateSchedule(
    projectId: string,
    scheduleId: string,
    input: UpdateScheduleInput,
  ): Observable<ScheduleView> {
    return this.http.patch<ScheduleView>(
      `${this.project(projectId)}/schedules/${encodeURIComponent(scheduleId)}`,
      input,
    );
  }

  deleteSchedule(projectId: string, scheduleId: string): Observable<void> {
    return this.http.delete<void>(
      `${this.project(projectId)}/schedules/${encodeURIComponent(scheduleId)}`,
    );
  }

  answerHumanInput(
    projectId: string,
    featureId: string,
    input: AnswerHumanInputInput,
  ): Observable<FeatureView> {
    return this.http.post<FeatureView>(`${this.feature(projectId, featureId)}/human-input`, input);
  }

  /** What a run changed, as a unified diff (empty when nothing). */
  getRunDiff(runId: string): Observable<string> {
    return this.http.get(`${this.base}/runs/${encodeURIComponent(runId)}/diff`, {
      responseType: 'text',
    });
  }

  startRun(projectId: string, input: StartRunInput = { role: 'initializer' }): Observable<RunView> {
    return this.http.post<RunView>(
      `${this.base}/projects/${encodeURIComponent(projectId)}/runs`,
      input,
    );
  }

  listRuns(projectId: string, query?: Partial<ListRunsQuery>): Observable<Page<RunView>> {
    return this.http.get<Page<RunView>>(
      `${this.base}/projects/${encodeURIComponent(projectId)}/runs`,
      {
        params: toParams(query),
      },
    );
  }

  getRun(runId: string): Observable<RunDetailView> {
    return this.http.get<RunDetailView>(`${this.base}/runs/${encodeURIComponent(runId)}`);
  }

  /** A run's stored log after event `after`, oldest first (the rest of a long log). */
  getRunEvents(runId: string, after: string, limit = 1000): Observable<RunEventsPageView> {
    return this.http.get<RunEventsPageView>(
      `${this.base}/runs/${encodeURIComponent(runId)}/events`,
      { params: { after, limit } },
    );
  }

  // ---- Dashboards (fleet page, project stats page) ----------------------------------------

  /** Runners and their sessions, queue depths, sessions per hour, spend across projects. */
  getFleet(): Observable<FleetView> {
    return this.http.get<FleetView>(`${this.base}/fleet`);
  }

  /** The project's last `days` UTC days: passing, total, sessions, spend; time per feature. */
  getStatsTimeline(projectId: string, days: number): Observable<ProjectTimelineView> {
    return this.http.get<ProjectTimelineView>(`${this.project(projectId)}/stats/timeline`, {
      params: toParams({ days }),
    });
  }

  // ---- Chats (feature-chat) -----------------------------------------------------------------

  private conversation(projectId: string, conversationId: string): string {
    return `${this.project(projectId)}/conversations/${encodeURIComponent(conversationId)}`;
  }

  /** Most recently active first. */
  listConversations(
    projectId: string,
    query?: Partial<ListConversationsQuery>,
  ): Observable<Page<ConversationView>> {
    return this.http.get<Page<ConversationView>>(`${this.project(projectId)}/conversations`, {
      params: toParams(query),
    });
  }

  createConversation(
    projectId: string,
    input: CreateConversationInput,
  ): Observable<ConversationView> {
    return this.http.post<ConversationView>(`${this.project(projectId)}/conversations`, input);
  }

  /** The conversation with a page of its messages (`offset` counts back from the newest). */
  getConversation(
    projectId: string,
    conversationId: string,
    query?: Partial<ConversationMessagesQuery>,
  ): Observable<ConversationDetailView> {
    return this.http.get<ConversationDetailView>(this.conversation(projectId, conversationId), {
      params: toParams(query),
    });
  }

  /** 202: the reply streams as chat events (LiveEventsService.conversationStream). */
  postMessage(
    projectId: string,
    conversationId: string,
    input: PostMessageInput,
  ): Observable<MessageView> {
    return this.http.post<MessageView>(
      `${this.conversation(projectId, conversationId)}/messages`,
      input,
    );
  }

  stopReply(projectId: string, conversationId: string): Observable<ChatStopView> {
    return this.http.post<ChatStopView>(`${this.conversation(projectId, conversationId)}/stop`, {});
  }

  /** Asks the last person's message again; answers with the new message. */
  retryReply(projectId: string, conversationId: string): Observable<MessageView> {
    return this.http.post<MessageView>(`${this.conversation(projectId, conversationId)}/retry`, {});
  }

  searchConversations(
    projectId: string,
    query: Partial<SearchConversationsQuery> & { q: string },
  ): Observable<ConversationSearchView> {
    return this.http.get<ConversationSearchView>(
      `${this.project(projectId)}/conversations/search`,
      { params: toParams(query) },
    );
  }

  /** A download link for one conversation (the session cookie goes along). */
  conversationExportUrl(
    projectId: string,
    conversationId: string,
    format: ConversationExportQuery['format'],
  ): string {
    return `${this.conversation(projectId, conversationId)}/export?format=${format}`;
  }

  // ---- Code (repository browser of main, diffs) ----------------------------------------------

  /** One directory of main (or of a commit: `ref` is a sha). */
  getRepositoryTree(projectId: string, path = '', ref?: string): Observable<RepositoryTreeView> {
    return this.http.get<RepositoryTreeView>(`${this.project(projectId)}/repository/tree`, {
      params: toParams({ path, ref }),
    });
  }

  getRepositoryFile(projectId: string, path: string, ref?: string): Observable<RepositoryFileView> {
    return this.http.get<RepositoryFileView>(`${this.project(projectId)}/repository/file`, {
      params: toParams({ path, ref }),
    });
  }

  /** Merges into main, newest first, with their features. */
  getRepositoryHistory(
    projectId: string,
    query?: Partial<RepositoryHistoryQuery>,
  ): Observable<RepositoryHistoryView> {
    return this.http.get<RepositoryHistoryView>(`${this.project(projectId)}/repository/history`, {
      params: toParams(query),
    });
  }

  /** The merge queue: open requests in queue order, recent outcomes and the last hour's counts. */
  getMergeQueue(projectId: string, query?: Partial<MergeQueueQuery>): Observable<MergeQueueView> {
    return this.http.get<MergeQueueView>(`${this.project(projectId)}/merge-queue`, {
      params: toParams(query),
    });
  }

  /** What a commit changed against its first parent, as a unified diff. */
  getCommitDiff(projectId: string, sha: string): Observable<string> {
    return this.http.get(
      `${this.project(projectId)}/repository/commits/${encodeURIComponent(sha)}/diff`,
      { responseType: 'text' },
    );
  }

  /** A download link for main as tar.gz (the session cookie goes along). */
  repositoryArchiveUrl(projectId: string): string {
    return `${this.project(projectId)}/repository.tar.gz`;
  }

  /** The signed-in person's API tokens (never the tokens themselves). */
  listApiTokens(): Observable<ApiTokenView[]> {
    return this.http.get<ApiTokenView[]>(`${this.base}/api-tokens`);
  }

  /** Creates a token; the answer is the only time its secret is shown. */
  createApiToken(input: CreateApiTokenInput): Observable<CreatedApiTokenView> {
    return this.http.post<CreatedApiTokenView>(`${this.base}/api-tokens`, input);
  }

  revokeApiToken(tokenId: string): Observable<void> {
    return this.http.delete<void>(`${this.base}/api-tokens/${encodeURIComponent(tokenId)}`);
  }

  listAuditEvents(query?: Partial<AuditQuery>): Observable<Page<AuditEventView>> {
    return this.http.get<Page<AuditEventView>>(`${this.base}/audit-events`, {
      params: toParams(query),
    });
  }

  /** A download link for the audit trail with these filters (the session cookie goes along). */
  auditExportUrl(query: Partial<AuditExportQuery>): string {
    const params = toParams(query).toString();
    return `${this.base}/audit-events/export${params ? `?${params}` : ''}`;
  }

  // ---- Dependency graph ---------------------------------------------------------------------

  /** Every feature of the project and every "depends on" edge (`from` depends on `to`). */
  getGraph(projectId: string): Observable<GraphView> {
    return this.http.get<GraphView>(`${this.project(projectId)}/graph`);
  }
}
