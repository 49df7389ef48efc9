import type { ReactNode } from 'react';

interface Props {
  label: string;
  help: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  testId?: string;
  disabled?: boolean;
}

/** A checkbox with its label and a one-line explanation. */
export function CheckField({ label, help, checked, onChange, testId, disabled }: Props) {
  return (
    <div className="field">
      <label className="check">
        <input type="checkbox" data-testid={testId} checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
        {label}
      </label>
      <small className="help">{help}</small>
    </div>
  );
}
