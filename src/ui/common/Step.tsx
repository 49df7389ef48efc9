import type { ReactNode } from 'react';
import { useStudio } from '../../state';
import { STEP_IDS, taskOf, type StepId } from '../../tasks';

/** One of the four steps: its number, and the title and introduction the current task gives it. */
export function Step(props: { step: StepId; children: ReactNode }) {
  const task = useStudio((s) => s.text.task);
  const { title, intro } = taskOf(task).steps[props.step];
  const id = `step-${props.step}`;
  return (
    <section className="card step" id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="step-title">
        <span className="step-num">{STEP_IDS.indexOf(props.step) + 1}</span>
        {title}
      </h2>
      {intro && <p className="step-intro">{intro}</p>}
      {props.children}
    </section>
  );
}
