import { nameKey, uniqueName, type ClientInfo } from '@vm-messenger/protocol';

/** A connected client of either protocol, as the VM side sees and controls it. */
export interface ClientHandle {
  readonly id: string;
  info(): ClientInfo;
  /** Closes the connection, telling the client why when its protocol can. */
  kick(reason: string): void;
}

/** Who is connected right now: for `vmctl clients`/`kick`, the client limit, and unique names. */
export class ClientRegistry {
  private readonly handles = new Map<string, ClientHandle>();
  private counter = 0;

  nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  add(handle: ClientHandle): void {
    this.handles.set(handle.id, handle);
  }

  remove(handle: ClientHandle): void {
    this.handles.delete(handle.id);
  }

  get size(): number {
    return this.handles.size;
  }

  list(): ClientInfo[] {
    return [...this.handles.values()].map((h) => h.info());
  }

  all(): ClientHandle[] {
    return [...this.handles.values()];
  }

  /** By connection id first, then by exact name, then by name ignoring case. */
  find(idOrName: string): ClientHandle | undefined {
    const byId = this.handles.get(idOrName);
    if (byId) return byId;
    const all = [...this.handles.values()];
    return all.find((h) => h.info().name === idOrName) ?? all.find((h) => h.info().name.toLowerCase() === idOrName.toLowerCase());
  }

  /** Two laptops both called "DESKTOP" must stay tell-apart-able in every window. Both protocols'
   *  clients are in this registry, so the order they connect in does not matter. */
  uniqueName(wanted: string, except?: ClientHandle): string {
    const taken = new Set([...this.handles.values()].filter((h) => h !== except).map((h) => nameKey(h.info().name)));
    return uniqueName(wanted, (key) => taken.has(key));
  }
}
