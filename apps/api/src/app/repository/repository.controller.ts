import { Allow } from '@autocoder/server-auth';
import { RepositoryBrowserService } from '@autocoder/server-code';
import {
  RepositoryFileView,
  RepositoryFileViewSchema,
  RepositoryHistoryView,
  RepositoryHistoryViewSchema,
  RepositoryTreeView,
  RepositoryTreeViewSchema,
} from '@autocoder/shared-contracts';
import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  RepositoryFileQueryDto,
  RepositoryHistoryQueryDto,
  RepositoryTreeQueryDto,
} from '../http/dto';
import { ParseIdPipe } from '../http/validation';
import { Operation } from '../http/operation.decorator';

/**
 * A project's repository for reading: main's tree and files (or those of one of its commits),
 * the merges that built main with their features, and each commit's diff. The whole of main is
 * GET /projects/:id/repository.tar.gz.
 */
@ApiTags('repository')
@Controller('projects/:projectId/repository')
export class RepositoryController {
  constructor(private readonly browser: RepositoryBrowserService) {}

  /** One directory: directories first, then files, with their sizes. */
  @Get('tree')
  @Operation('List a directory of the main branch', { returns: RepositoryTreeViewSchema })
  @Allow('viewer')
  tree(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Query() query: RepositoryTreeQueryDto,
  ): Promise<RepositoryTreeView> {
    return this.browser.tree(projectId, query);
  }

  /** One file as text; binary files and files over `maxBytes` come without content. */
  @Get('file')
  @Operation('Read a file of the main branch', { returns: RepositoryFileViewSchema })
  @Allow('viewer')
  file(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Query() query: RepositoryFileQueryDto,
  ): Promise<RepositoryFileView> {
    return this.browser.file(projectId, query);
  }

  /** Merges into main, newest first, with the feature each was for and the files it changed. */
  @Get('history')
  @Operation('List the merges into main', { returns: RepositoryHistoryViewSchema })
  @Allow('viewer')
  history(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Query() query: RepositoryHistoryQueryDto,
  ): Promise<RepositoryHistoryView> {
    return this.browser.history(projectId, query);
  }

  /** What a commit changed against its first parent (for a merge: what it brought into main). */
  @Get('commits/:sha/diff')
  @Operation('Get what a commit changed, as a unified diff', {
    returns: 'text',
    produces: ['text/x-diff'],
  })
  @Allow('viewer')
  @Header('Content-Type', 'text/x-diff; charset=utf-8')
  commitDiff(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('sha') sha: string,
  ): Promise<string> {
    return this.browser.commitDiff(projectId, sha);
  }
}
