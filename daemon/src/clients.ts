import { nameKey, type ClientInfo } from '@vm-messenger/protocol';

/** A connected client of either protocol, as the VM side sees and controls it. */
export interface ClientHandle {
  /** This connection's key in the registry (unique per connection). */
  readonly id: string;
  /** `info().id` is the client's public id: a paired client's stable `c<N>` (shared by all its
   *  connections), a legacy connection's `l<N>`. */
  info(): ClientInfo;
  /** Closes the connection, telling the client why when its protocol can. */
  kick(reason: string): void;
  /** Closes the connection telling the client it was revoked (paired clients only). */
  revoke?(reason: string): void;
}

/** Who is connected right now: for `vmctl clients`/`kick`, the client limit, and unique names. */
export class ClientRegistry {
  private readonly handles = new Map<string, ClientHandle>();
  private counter = 0;

  /** A connection key (`l7` for a legacy connection, `v7` for a v2 one). Restarts with the
   *  daemon: paired clients are known by their stable id instead. */
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

  /** The connections of the client with this public id. */
  connectionsOf(clientId: string): ClientHandle[] {
    return this.all().filter((h) => h.info().id === clientId);
  }

  isConnected(clientId: string): boolean {
    return this.all().some((h) => h.info().id === clientId);
  }

  /** By public id first, then by exact name, then by name ignoring case; every connection of
   *  that client. */
  findAll(idOrName: string): ClientHandle[] {
    const all = this.all();
    for (const match of [(h: ClientHandle) => h.info().id === idOrName, (h: ClientHandle) => h.info().name === idOrName, (h: ClientHandle) => nameKey(h.info().name) === nameKey(idOrName)]) {
      const found = all.filter(match);
      if (found.length > 0) return found;
    }
    return [];
  }

  find(idOrName: string): ClientHandle | undefined {
    return this.findAll(idOrName)[0];
  }

  /** Whether a connected client other than `exceptClientId` shows a name with this key. */
  nameTaken(key: string, exceptClientId?: string): boolean {
    return this.all().some((h) => {
      const info = h.info();
      return info.id !== exceptClientId && nameKey(info.name) === key;
    });
  }
}
