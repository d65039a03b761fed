/** A small typed event emitter (no `any` at the boundary, unlike `node:events`). */

/** Event name → argument tuple. */
export type EventMap = Record<string, unknown[]>;

/** Typed listeners with `on` / `once` / `off`. */
export class Emitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<(...args: E[keyof E]) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (...args: E[keyof E]) => void);
    return () => this.off(event, listener);
  }

  /** Adds a listener that runs once. */
  once<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    const off = this.on(event, (...args: E[K]) => {
      off();
      listener(...args);
    });
    return off;
  }

  /** Removes a listener. */
  off<K extends keyof E>(event: K, listener: (...args: E[K]) => void): void {
    this.listeners.get(event)?.delete(listener as (...args: E[keyof E]) => void);
  }

  /** Calls the listeners of `event` in order of registration. */
  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const l of [...set]) (l as (...a: E[K]) => void)(...args);
  }
}
