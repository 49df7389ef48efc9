import { useEffect, useId, useState, type ReactNode } from 'react';
import { fieldPatch, parseField, readField, RULES, useStudio, type NumericField } from '../../state';

interface Props {
  field: NumericField;
  label: string;
  help: string;
  testId?: string;
  step?: string;
  disabled?: boolean;
  /** Shown after the box (a unit, "× rate"). */
  suffix?: string;
  /** Rendered under the box, above the help (the learning-rate slider). */
  children?: ReactNode;
}

/** A typed number with validation; the reason shows next to the field, and only valid values reach the settings. */
export function NumberField({ field, label, help, testId, step, disabled, suffix, children }: Props) {
  const id = useId();
  const value = useStudio((s) => readField(s.settings, field));
  const error = useStudio((s) => s.fieldErrors[field]);
  const [text, setText] = useState<string | null>(null);
  const rule = RULES[field];
  // What the person typed wins while it is invalid or means the stored value; a change made
  // elsewhere (the learning-rate slider, a reset) shows through otherwise.
  // A field that goes away (its option turned off) takes its complaint with it; the last valid value stays.
  useEffect(() => () => useStudio.getState().setFieldError(field, null), [field]);
  const shown = text !== null && (error || Number(text) === value) ? text : String(value);

  const onChange = (raw: string) => {
    setText(raw);
    const parsed = parseField(field, raw);
    const st = useStudio.getState();
    if ('error' in parsed) {
      st.setFieldError(field, parsed.error);
    } else {
      st.setFieldError(field, null);
      st.updateSettings(fieldPatch(st.settings, field, parsed.value));
    }
  };

  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <span className="field-input">
        <input
          id={id}
          type="number"
          inputMode="decimal"
          data-testid={testId}
          min={rule.min}
          max={rule.max}
          step={step ?? (rule.integer ? '1' : 'any')}
          value={shown}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-help`}
          onChange={(e) => onChange(e.target.value)}
          onBlur={() => {
            if (!error) setText(null);
          }}
        />
        {suffix && <span className="muted">{suffix}</span>}
      </span>
      {children}
      <small id={`${id}-help`} className="help">
        {help}
      </small>
      {error && (
        <div role="alert" className="field-error">
          {error}
        </div>
      )}
    </div>
  );
}
