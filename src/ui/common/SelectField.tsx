import { useId, type ReactNode } from 'react';

interface Props<T extends string> {
  label: string;
  help: ReactNode;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  testId?: string;
  disabled?: boolean;
}

/** A drop-down with its label and a one-line explanation. */
export function SelectField<T extends string>({ label, help, value, options, onChange, testId, disabled }: Props<T>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} data-testid={testId} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <small className="help">{help}</small>
    </div>
  );
}
