import { Allow } from '@autocoder/server-auth';
import { RepositoryBrowserService } from '@autocoder/server-engine';
import {
  RepositoryFileView,
  RepositoryHistoryView,
  RepositoryTreeView,
} from '@autocoder/shared-contracts';
import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  RepositoryFileQueryDto,
  RepositoryHistoryQueryDto,
  RepositoryTreeQueryDto,
} from '../http/dto';
import { ParseIdPipe } from '../http/validation';

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
  @Allow('viewer')
  tree(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Query() query: RepositoryTreeQueryDto,
  ): Promise<RepositoryTreeView> {
    return this.browser.tree(projectId, query);
  }

  /** One file as text; binary files and files over `maxBytes` come without content. */
  @Get('file')
  @Allow('viewer')
  file(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Query() query: RepositoryFileQueryDto,
  ): Promise<RepositoryFileView> {
    return this.browser.file(projectId, query);
  }

  /** Merges into main, newest first, with the feature each was for and the files it changed. */
  @Get('history')
  @Allow('viewer')
  history(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Query() query: RepositoryHistoryQueryDto,
  ): Promise<RepositoryHistoryView> {
    return this.browser.history(projectId, query);
  }

  /** What a commit changed against its first parent (for a merge: what it brought into main). */
  @Get('commits/:sha/diff')
  @Allow('viewer')
  @Header('Content-Type', 'text/x-diff; charset=utf-8')
  @ApiProduces('text/x-diff')
  commitDiff(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('sha') sha: string,
  ): Promise<string> {
    return this.browser.commitDiff(projectId, sha);
  }
}
