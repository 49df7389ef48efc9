import type { FirstOrAll } from './useFirstOrAll';

/** "Show all N" under a list cut by `useFirstOrAll`, and back (`fewer`: "Show the first 48"); nothing when all fit. */
export function ShowAllButton<T>({ list, testId, fewer }: { list: FirstOrAll<T>; testId: string; fewer: string }) {
  if (list.total <= list.first) return null;
  return (
    <button type="button" className="btn btn-small" data-testid={testId} onClick={list.toggle}>
      {list.all ? fewer : `Show all ${list.total}`}
    </button>
  );
}
