import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from './prisma.service';

/** A transaction's client, or the application's client outside one: what repositories query. */
export type Db = Prisma.TransactionClient;

/**
 * Opens interactive transactions for services whose unit of work spans repositories (a run and
 * its project, a feature and its dependencies): each repository method takes the `tx` it gets.
 */
@Injectable()
export class Transactions {
  constructor(private readonly prisma: PrismaService) {}

  run<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }
}
