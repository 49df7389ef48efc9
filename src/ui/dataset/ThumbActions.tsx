import { useState } from 'react';
import { useStudio } from '../../state';

/** Delete or move the selected images. */
export function ThumbActions(props: { selected: string[]; classes: string[]; disabled: boolean; onDone: () => void }) {
  const [target, setTarget] = useState('');
  const n = props.selected.length;
  if (n === 0) return <span className="muted">Click images to select them.</span>;
  return (
    <div className="thumb-actions">
      <span>{n} selected</span>
      <button
        type="button"
        className="btn btn-small btn-ghost danger"
        disabled={props.disabled}
        onClick={() => {
          useStudio.getState().deleteImages(props.selected);
          props.onDone();
        }}
      >
        Delete
      </button>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (!target.trim()) return;
          useStudio.getState().moveImages(props.selected, target);
          props.onDone();
        }}
      >
        <input
          list="class-names"
          placeholder="class"
          aria-label="Move selected images to class"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
        />
        <datalist id="class-names">
          {props.classes.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <button type="submit" className="btn btn-small" disabled={props.disabled || !target.trim()}>
          Move
        </button>
      </form>
    </div>
  );
}
