import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { oneLine, prettyJson, type ToolCallItem } from '../thread/chat-thread';

/**
 * A tool the model called, inline in its reply: one line (name, input in brief, outcome), which
 * opens to the full input and output.
 */
@Component({
  selector: 'ac-tool-call',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './tool-call.html',
  styleUrl: './tool-call.css',
})
export class ToolCall {
  readonly item = input.required<ToolCallItem>();
  /** The turn is over: a call without a result will not get one. */
  readonly settled = input(false);

  protected readonly brief = computed(() => oneLine(this.item().call.input));
  protected readonly input = computed(() => prettyJson(this.item().call.input));
  protected readonly output = computed(() => {
    const result = this.item().result;
    return result ? prettyJson(result.content) : null;
  });
  protected readonly state = computed(() => {
    const result = this.item().result;
    if (!result) return this.settled() ? 'none' : 'running';
    return result.toolResult?.isError ? 'error' : 'done';
  });
}
