/** How many downloads may run at once, per connection and daemon-wide. */
export interface DownloadBudget {
  /** Downloads one connection may have in progress; more wait their turn. */
  perClient: number;
  /** Requests one connection may have waiting; beyond that they are refused. */
  queuedPerClient: number;
  /** Downloads in progress over all connections. */
  total: number;
}

/** Frees the slot; calling it twice is harmless. */
export type Release = () => void;
type Start = (release: Release) => void;

interface Owner {
  active: number;
  waiting: number;
}

/** Admission for downloads. A download holds an open file and a chunk of memory while it runs, so
 *  only a few run at once; the others wait as a small closure (no fd, no buffer) in one FIFO, so a
 *  burst of 1,000 requests costs no more than the budget allows and is served in order. */
export class DownloadSlots {
  private active = 0;
  private readonly owners = new Map<object, Owner>();
  private readonly waiting: { owner: object; start: Start }[] = [];

  constructor(readonly budget: DownloadBudget) {}

  /** Starts `start` now or once a slot frees. False (and `start` is never called) when the owner
   *  already has `queuedPerClient` requests waiting. */
  request(owner: object, start: Start): boolean {
    const state = this.owners.get(owner) ?? { active: 0, waiting: 0 };
    if (this.fits(state)) {
      this.owners.set(owner, state);
      this.run(owner, state, start);
      return true;
    }
    if (state.waiting >= this.budget.queuedPerClient) return false;
    this.owners.set(owner, state);
    state.waiting += 1;
    this.waiting.push({ owner, start });
    return true;
  }

  /** The owner left: its waiting requests are forgotten. Its running downloads release their own
   *  slots as they are cancelled. */
  drop(owner: object): void {
    const state = this.owners.get(owner);
    if (!state) return;
    for (let i = this.waiting.length - 1; i >= 0; i--) if (this.waiting[i]!.owner === owner) this.waiting.splice(i, 1);
    state.waiting = 0;
    if (state.active === 0) this.owners.delete(owner);
  }

  get inProgress(): number {
    return this.active;
  }

  private fits(state: Owner): boolean {
    return this.active < this.budget.total && state.active < this.budget.perClient && state.waiting === 0;
  }

  private run(owner: object, state: Owner, start: Start): void {
    this.active += 1;
    state.active += 1;
    let released = false;
    start(() => {
      if (released) return;
      released = true;
      this.active -= 1;
      state.active -= 1;
      if (state.active === 0 && state.waiting === 0 && this.owners.get(owner) === state) this.owners.delete(owner);
      this.admitWaiting();
    });
  }

  /** First come, first served, skipping requests whose own connection is at its limit. */
  private admitWaiting(): void {
    for (let i = 0; i < this.waiting.length && this.active < this.budget.total; ) {
      const next = this.waiting[i]!;
      const state = this.owners.get(next.owner);
      if (!state) {
        this.waiting.splice(i, 1);
        continue;
      }
      if (state.active >= this.budget.perClient) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      state.waiting -= 1;
      this.run(next.owner, state, next.start);
    }
  }
}
