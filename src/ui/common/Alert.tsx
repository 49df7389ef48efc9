import type { ReactNode } from 'react';

/** A failure message for the user: a plain sentence next to what caused it, with a way forward. */
export function Alert(props: {
  children: ReactNode;
  tone?: 'error' | 'warning';
  action?: { label: string; onClick: () => void };
  testId?: string;
}) {
  return (
    <div role="alert" className={`alert alert-${props.tone ?? 'error'}`} data-testid={props.testId}>
      <div className="alert-body">{props.children}</div>
      {props.action && (
        <button type="button" className="btn btn-small" onClick={props.action.onClick}>
          {props.action.label}
        </button>
      )}
    </div>
  );
}
