/** Buffers frequent items (batch metrics) and hands them over about ten times a second, or at once on `flush`. */
export function createBatcher<T>(send: (items: T[]) => void, ms = 100): { push(item: T): void; flush(): void } {
  const pending: T[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length) send(pending.splice(0));
  };
  return {
    push(item) {
      pending.push(item);
      timer ??= setTimeout(flush, ms);
    },
    flush,
  };
}
