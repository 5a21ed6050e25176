import { Global, Module } from '@nestjs/common';
import { LiveEvents } from './live-events';
import { SessionSignals } from './session-signals';

/** Live events and session signals for the whole app; uses the Redis settings of QueueModule.forRoot. */
@Global()
@Module({ providers: [LiveEvents, SessionSignals], exports: [LiveEvents, SessionSignals] })
export class LiveEventsModule {}
