import { useId, useState } from 'react';

interface Props {
  label: string;
  help: string;
  value: number;
  min: number;
  max: number;
  integer?: boolean;
  testId?: string;
  disabled?: boolean;
  onChange: (value: number) => void;
}

/** A typed number for text settings: out-of-range or non-numeric input is explained next to the field and not applied. */
export function TextNumber({ label, help, value, min, max, integer, testId, disabled, onChange }: Props) {
  const id = useId();
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const change = (raw: string) => {
    setText(raw);
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) setError(`${label} must be a number.`);
    else if (integer && !Number.isInteger(v)) setError(`${label} must be a whole number.`);
    else if (v < min || v > max) setError(`${label} must be between ${min} and ${max}.`);
    else {
      setError(null);
      onChange(v);
    }
  };
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <span className="field-input">
        <input
          id={id}
          type="number"
          data-testid={testId}
          min={min}
          max={max}
          step={integer ? '1' : 'any'}
          value={text ?? String(value)}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          onChange={(e) => change(e.target.value)}
          onBlur={() => !error && setText(null)}
        />
      </span>
      <small className="help">{help}</small>
      {error && (
        <div role="alert" className="field-error">
          {error}
        </div>
      )}
    </div>
  );
}
