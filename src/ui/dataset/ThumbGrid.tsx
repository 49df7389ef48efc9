import { useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { classNames, isBusy, useStudio } from '../../state';
import { useThumbnails } from './useThumbnails';
import { ThumbActions } from './ThumbActions';

const CELL = 112;
const COLS = 5;

export function ThumbGrid() {
  const images = useStudio((s) => s.images);
  const busy = useStudio((s) => isBusy(s.status));
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const classes = useMemo(() => classNames(images), [images]);
  const shown = useMemo(() => (filter ? images.filter((i) => i.label === filter) : images), [images, filter]);
  const thumb = useThumbnails();
  const parent = useRef<HTMLDivElement>(null);
  const rows = Math.ceil(shown.length / COLS);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual's functions change every render; this component is not compiled by the React Compiler
  const virtualizer = useVirtualizer({ count: rows, getScrollElement: () => parent.current, estimateSize: () => CELL, overscan: 3 });

  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="thumbs">
      <div className="thumbs-toolbar">
        <label>
          Show{' '}
          <select value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter images by class">
            <option value="">all classes ({images.length})</option>
            {classes.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <ThumbActions
          selected={[...selected].filter((id) => images.some((i) => i.id === id))}
          classes={classes}
          disabled={busy}
          onDone={() => setSelected(new Set())}
        />
      </div>
      <div
        ref={parent}
        className="thumbs-scroll"
        data-testid="dataset.thumbnails"
        style={{ height: Math.min(360, Math.max(1, rows) * CELL + 8) }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((row) => (
            <div key={row.key} className="thumbs-row" style={{ transform: `translateY(${row.start}px)`, height: CELL }}>
              {shown.slice(row.index * COLS, row.index * COLS + COLS).map((img) => {
                const url = thumb(img);
                const on = selected.has(img.id);
                return (
                  <button
                    type="button"
                    key={img.id}
                    className={`thumb ${on ? 'thumb-on' : ''}`}
                    aria-pressed={on}
                    title={`${img.path} (${img.label})`}
                    onClick={() => toggle(img.id)}
                  >
                    {url ? <img src={url} alt={img.name} /> : <span className="thumb-wait" />}
                    <span className="thumb-label">{img.label}</span>
                  </button>
                );
              })}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
