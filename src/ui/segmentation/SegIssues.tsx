import type { SegIssue } from '../../data/segmentation';
import { useStudio } from '../../state';

const KIND_TEXT: Record<SegIssue['kind'], string> = {
  'image-without-mask': 'images have no mask',
  'mask-without-image': 'masks have no image',
  'image-unreadable': 'images could not be read',
  'mask-unreadable': 'masks could not be read',
  'mask-resized': 'masks were resized to their images',
  'values-beyond-classes': 'masks hold values past the classes',
  'unmapped-colours': 'masks have colours the colour map lacks',
  'empty-class': 'classes appear in no mask',
};

/** What is wrong with the data, grouped by kind with a count; each group's sentences open below it. */
export function SegIssues() {
  const issues = useStudio((s) => s.seg.summary?.issues);
  if (!issues || issues.length === 0) return null;
  const groups = new Map<SegIssue['kind'], SegIssue[]>();
  for (const issue of issues) groups.set(issue.kind, [...(groups.get(issue.kind) ?? []), issue]);
  return (
    <div role="alert" className="alert alert-warning" data-testid="seg.issues" data-count={issues.length}>
      <div className="alert-body">
        <ul className="warning-list seg-issue-groups">
          {[...groups].map(([kind, list]) => (
            <li key={kind} data-kind={kind}>
              {list.length === 1 ? (
                list[0]?.message
              ) : (
                <details open={list.length <= 3}>
                  <summary>
                    {list.length} {KIND_TEXT[kind]}
                  </summary>
                  <ul className="skipped-list">
                    {list.slice(0, 200).map((issue, i) => (
                      <li key={i}>{issue.message}</li>
                    ))}
                    {list.length > 200 && <li className="muted">… and {list.length - 200} more.</li>}
                  </ul>
                </details>
              )}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
