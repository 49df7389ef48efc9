import { useId, useState } from 'react';

/** A typed number that may be empty or invalid while typed: `onValue` gets NaN (or null when empty and allowed). */
export function TypedNumber(props: {
  label: string;
  value: number | null;
  testId: string;
  disabled?: boolean;
  allowEmpty?: boolean;
  onValue: (v: number | null) => void;
}) {
  const id = useId();
  const [text, setText] = useState<string | null>(null);
  const shown = text ?? (props.value === null || Number.isNaN(props.value) ? '' : String(props.value));
  return (
    <span className="sweep-num">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="number"
        step="any"
        inputMode="decimal"
        data-testid={props.testId}
        value={shown}
        disabled={props.disabled}
        onChange={(e) => {
          const raw = e.currentTarget.value;
          setText(raw);
          props.onValue(raw.trim() === '' ? (props.allowEmpty ? null : NaN) : Number(raw));
        }}
        onBlur={() => setText(null)}
      />
    </span>
  );
}

/** Whole numbers separated by commas ("8, 16, 32"); an entry that is not a number becomes NaN (the form says so). */
export function ChoicesField(props: {
  label: string;
  value: number[];
  testId: string;
  disabled?: boolean;
  onValue: (v: number[]) => void;
}) {
  const id = useId();
  const [text, setText] = useState<string | null>(null);
  return (
    <span className="sweep-num sweep-choices">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="text"
        inputMode="numeric"
        data-testid={props.testId}
        value={text ?? props.value.join(', ')}
        disabled={props.disabled}
        onChange={(e) => {
          const raw = e.currentTarget.value;
          setText(raw);
          props.onValue(
            raw
              .split(/[\s,]+/)
              .filter((x) => x !== '')
              .map(Number),
          );
        }}
        onBlur={() => setText(null)}
      />
    </span>
  );
}

/** One dimension of the space: a checkbox that turns it on, and its range or choices beside it. */
export function Dimension(props: {
  name: string;
  testId: string;
  on: boolean;
  disabled?: boolean;
  onToggle: (on: boolean) => void;
  children?: React.ReactNode;
  note?: string;
}) {
  return (
    <div className={`sweep-dim ${props.on ? '' : 'sweep-dim-off'}`}>
      <label className="check sweep-dim-name">
        <input
          type="checkbox"
          data-testid={`${props.testId}.on`}
          checked={props.on}
          disabled={props.disabled}
          onChange={(e) => props.onToggle(e.currentTarget.checked)}
        />{' '}
        {props.name}
      </label>
      <div className="sweep-dim-body">{props.children}</div>
      {props.note && <small className="help sweep-dim-note">{props.note}</small>}
    </div>
  );
}
