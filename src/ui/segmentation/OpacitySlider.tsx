import { useStudio } from '../../state';

/** How opaque the class colours are over the pictures: one setting for the data step's grid, the gallery and try-it. */
export function OpacitySlider({ testId }: { testId: string }) {
  const opacity = useStudio((s) => s.seg.opacity);
  return (
    <label className="seg-opacity">
      <span>Mask opacity</span>
      <input
        type="range"
        min={0}
        max={1}
        step={0.05}
        value={opacity}
        data-testid={testId}
        aria-valuetext={`${Math.round(opacity * 100)}%`}
        onChange={(e) => useStudio.getState().setSeg({ opacity: Number(e.target.value) })}
      />
      <span className="num">{Math.round(opacity * 100)}%</span>
    </label>
  );
}
