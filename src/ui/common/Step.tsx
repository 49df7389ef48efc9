import type { ReactNode } from 'react';

export function Step(props: { id: string; n: number; title: string; intro?: ReactNode; children: ReactNode }) {
  return (
    <section className="card step" id={props.id} aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`} className="step-title">
        <span className="step-num">{props.n}</span>
        {props.title}
      </h2>
      {props.intro && <p className="step-intro">{props.intro}</p>}
      {props.children}
    </section>
  );
}
