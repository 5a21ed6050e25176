/** The one JSON shape of every error the api returns. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  requestId?: string;
  /** Field-level reasons, for validation errors. */
  issues?: ApiErrorIssue[];
}

export interface ApiErrorIssue {
  /** Dotted path of the offending field, e.g. "body.steps.2". */
  path: string;
  message: string;
}
