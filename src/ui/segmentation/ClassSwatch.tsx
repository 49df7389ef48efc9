import { classColour } from './overlay';

/** A class's overlay colour; the background, which is never painted, as a hatched square. */
export function ClassSwatch({ index }: { index: number }) {
  const colour = classColour(index);
  return (
    <span
      className={`seg-swatch${colour ? '' : ' seg-swatch-clear'}`}
      style={colour ? { background: colour } : undefined}
      title={colour ? colour : 'not painted'}
      aria-hidden="true"
    />
  );
}
