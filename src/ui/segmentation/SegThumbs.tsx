import { useShallow, useStudio } from '../../state';
import { ShowAllButton } from '../common/ShowAllButton';
import { useFirstOrAll } from '../common/useFirstOrAll';
import { ClassSwatch } from './ClassSwatch';
import { OpacitySlider } from './OpacitySlider';
import { PairOverlay } from './PairOverlay';

const FIRST = 48;
const SIZE = 112;

/** The pairs as pictures with their masks over them (the first 48, or all). */
export function SegThumbs() {
  const { pairs, classCount, opacity } = useStudio(
    useShallow((s) => ({ pairs: s.seg.pairs, classCount: s.seg.classNames.length, opacity: s.seg.opacity })),
  );
  const list = useFirstOrAll(pairs, FIRST);
  return (
    <div className="seg-thumbs-box">
      <div className="seg-toolbar">
        <h3>Images and masks</h3>
        <OpacitySlider testId="seg.thumbs-opacity" />
      </div>
      <ul className="seg-thumbs" data-testid="seg.thumbs" data-count={list.shown.length}>
        {list.shown.map((p) => (
          <li key={p.id} className="seg-thumb" data-testid="seg.thumb" data-id={p.id} title={`${p.imagePath}\n${p.maskPath}`}>
            <PairOverlay pair={p} size={SIZE} opacity={opacity} classCount={classCount} label={`${p.name} with its mask`} />
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
      <ShowAllButton list={list} testId="seg.thumbs-all" fewer={`Show the first ${FIRST}`} />
    </div>
  );
}
