import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type {
  ApiTokenView,
  AuditEventView,
  AuditExportQuery,
  AuditQuery,
  BoardQuery,
  CreateApiTokenInput,
  CreatedApiTokenView,
  BoardView,
  AnswerHumanInputInput,
  CreateFeatureInput,
  CreateProjectInput,
  FeatureDetailView,
  FeatureView,
  GraphView,
  PendingQuestionsView,
  ProjectSpendView,
  SessionView,
  StartAgentsInput,
  UpdateFeatureInput,
  UpdateProjectInput,
  ListProjectsQuery,
  ListRunsQuery,
  Page,
  ProjectView,
  RunDetailView,
  RunView,
  StartRunInput,
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
