import { useMemo } from 'react';
import { useShallow, useStudio } from '../../state';
import { ClassSwatch } from './ClassSwatch';
import { classColour } from './overlay';

const pct = (v: number) => (v === 0 ? '0%' : v < 0.001 ? '<0.1%' : `${(v * 100).toFixed(1)}%`);

/** Every class: its colour, its share of the labelled pixels (as a bar) and how many images show it. */
export function SegClassTable() {
  const { names, share, counts, pairs } = useStudio(
    useShallow((s) => ({
      names: s.seg.classNames,
      share: s.seg.summary?.pixelShare,
      counts: s.seg.summary?.pixelCounts,
      pairs: s.seg.pairs,
    })),
  );
  const inImages = useMemo(() => {
    const n = names.map(() => 0);
    for (const p of pairs) for (const c of p.classes) if (c < n.length) n[c] = (n[c] ?? 0) + 1;
    return n;
  }, [names, pairs]);
  const fg = (share ?? []).slice(1).filter((v) => v > 0);
  const skewed = fg.length >= 2 && Math.min(...fg) < Math.max(...fg) / 10;
  return (
    <div className="seg-classes">
      <h3>Classes</h3>
      <table className="table seg-class-table" data-testid="seg.classes">
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col">Share of pixels</th>
            <th scope="col" className="num" title="Images whose mask shows this class">
              Images
            </th>
          </tr>
        </thead>
        <tbody>
          {names.map((name, i) => {
            const v = share?.[i] ?? 0;
            return (
              <tr key={i} data-testid={`seg.class.${i}`} data-share={v} data-images={inImages[i] ?? 0}>
                <th scope="row">
                  <ClassSwatch index={i} /> {name}
                  <span className="muted small"> · {i}</span>
                </th>
                <td>
                  <span className="seg-share" title={`${(counts?.[i] ?? 0).toLocaleString('en')} pixels`}>
                    <span className="seg-share-bar" aria-hidden="true">
                      <span style={{ width: `${(v * 100).toFixed(2)}%`, background: classColour(i) ?? 'var(--muted)' }} />
                    </span>
                    <span className="num">{pct(v)}</span>
                  </span>
                </td>
                <td className={`num ${(inImages[i] ?? 0) === 0 ? 'bad' : ''}`}>{inImages[i] ?? 0}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {skewed && (
        <p className="muted small">
          Some classes cover far fewer pixels than others: the model may learn to skip them. Class weights “balanced” and the Dice loss
          (step 3, Loss) help; per-class IoU in step 4 shows whether they worked.
        </p>
      )}
    </div>
  );
}
