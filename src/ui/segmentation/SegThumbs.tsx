import { useState } from 'react';
import { useShallow, useStudio } from '../../state';
import { ClassSwatch } from './ClassSwatch';
import { OpacitySlider } from './OpacitySlider';
import { OverlayCanvas } from './OverlayCanvas';

const FIRST = 48;
const SIZE = 112;

/** The pairs as pictures with their masks over them (the first 48, or all). */
export function SegThumbs() {
  const { pairs, classCount, opacity } = useStudio(
    useShallow((s) => ({ pairs: s.seg.pairs, classCount: s.seg.classNames.length, opacity: s.seg.opacity })),
  );
  const [all, setAll] = useState(false);
  const shown = all ? pairs : pairs.slice(0, FIRST);
  return (
    <div className="seg-thumbs-box">
      <div className="seg-toolbar">
        <h3>Images and masks</h3>
        <OpacitySlider testId="seg.thumbs-opacity" />
      </div>
      <ul className="seg-thumbs" data-testid="seg.thumbs" data-count={shown.length}>
        {shown.map((p) => (
          <li key={p.id} className="seg-thumb" data-testid="seg.thumb" data-id={p.id} title={`${p.imagePath}\n${p.maskPath}`}>
            <OverlayCanvas
              image={p.image}
              mask={p.mask}
              maskWidth={p.width}
              maskHeight={p.height}
              imageWidth={p.width}
              imageHeight={p.height}
              size={SIZE}
              opacity={opacity}
              classCount={classCount}
              label={`${p.name} with its mask`}
            />
            <span className="seg-thumb-name">
              {p.classes
                .filter((c) => c !== 0)
                .map((c) => (
                  <ClassSwatch key={c} index={c} />
                ))}{' '}
              {p.name}
            </span>
          </li>
        ))}
      </ul>
      {pairs.length > FIRST && (
        <button type="button" className="btn btn-small" data-testid="seg.thumbs-all" onClick={() => setAll((on) => !on)}>
          {all ? `Show the first ${FIRST}` : `Show all ${pairs.length}`}
        </button>
      )}
    </div>
  );
}
