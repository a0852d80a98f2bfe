// The build stream in Dockerfile order while stages run in parallel: each stage writes to its own lane;
// the lane at the head goes straight out, later lanes are held until every earlier one is done, so clients
// see the steps exactly as the classic builder prints them (one stage after the other).
import type { BuildMessage } from './types.js';

export class OrderedOutput {
  private readonly lanes: Array<{ held: BuildMessage[]; done: boolean }> = [];
  private head = 0;

  constructor(private readonly sink: (m: BuildMessage) => void, lanes: number) {
    for (let i = 0; i < lanes; i++) this.lanes.push({ held: [], done: false });
  }

  write(lane: number, m: BuildMessage): void {
    if (lane === this.head) this.sink(m);
    else this.lanes[lane].held.push(m);
  }

  /** Marks a lane finished and lets the next ones through. */
  close(lane: number): void {
    this.lanes[lane].done = true;
    while (this.head < this.lanes.length && this.lanes[this.head].done) {
      this.head++;
      const next = this.lanes[this.head];
      if (next) for (const m of next.held.splice(0)) this.sink(m);
    }
  }

  /** Everything still held (a failed build shows what the other stages printed before the error). */
  flushAll(): void {
    for (let i = this.head; i < this.lanes.length; i++) for (const m of this.lanes[i].held.splice(0)) this.sink(m);
    this.head = this.lanes.length;
  }
}
