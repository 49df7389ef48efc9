import { useState, type ReactNode } from 'react';

interface Props {
  id: string;
  title: string;
  /** One line on what is inside, shown while closed too. */
  summary: ReactNode;
  /** Opens the section (and keeps it open) while something inside needs attention. */
  attention?: boolean;
  onOpenChange?: (open: boolean) => void;
  children: ReactNode;
}

/** A collapsible group of advanced settings; closed by default so the page stays calm. */
export function Section({ id, title, summary, attention = false, onOpenChange, children }: Props) {
  const [open, setOpen] = useState(attention);
  // Opens when something inside starts needing attention (state adjusted during render, not in an effect).
  const [sawAttention, setSawAttention] = useState(attention);
  if (attention !== sawAttention) {
    setSawAttention(attention);
    if (attention) setOpen(true);
  }
  return (
    <details
      className="section"
      open={open}
      onToggle={(e) => {
        const now = e.currentTarget.open;
        setOpen(now);
        onOpenChange?.(now);
      }}
      data-testid={`hp.section.${id}`}
    >
      <summary>
        <span className="section-title">{title}</span> <span className="muted section-summary">{summary}</span>
      </summary>
      <div className="section-body">{children}</div>
    </details>
  );
}
