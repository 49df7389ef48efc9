/** Hands control back to the event loop at most every `everyMs`, so messages (stop) get through a long loop. */
export function createYielder(everyMs = 50): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (Date.now() - last < everyMs) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    last = Date.now();
  };
}
